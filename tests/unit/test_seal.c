/* Sealing: a secret opens under the same key and binding only. */
#include <errno.h>
#include <string.h>

#include "seal.h"
#include "tap.h"

int main(void)
{
	uint8_t key[32] = { 1, 2, 3 }, other[32] = { 1, 2, 4 };
	const char secret[] = "the device's master secret";
	uint8_t sealed[sizeof(secret) + SEAL_OVERHEAD], again[sizeof(sealed)];
	uint8_t out[sizeof(secret)], zero[sizeof(out)] = { 0 };
	struct seal_binding b = { 4, "dev-1", 5, 77, "fingerprints", 12 }, x;

	ok(seal(key, &b, secret, sizeof(secret), sealed) == 0, "a secret seals");
	ok(memcmp(sealed + SEAL_NONCE_LEN, secret, sizeof(secret)) != 0,
	   "the sealed form does not hold the secret in clear");
	ok(unseal(key, &b, sealed, sizeof(sealed), out, sizeof(out)) == 0 &&
	   !memcmp(out, secret, sizeof(secret)), "it opens under the same key and binding");
	seal(key, &b, secret, sizeof(secret), again);
	ok(memcmp(again, sealed, sizeof(sealed)) != 0, "each seal takes a new nonce");
	ok(unseal(other, &b, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG, "another key fails");
	x = b, x.type = 3;
	ok(unseal(key, &x, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG, "another type fails");
	x = b, x.key = "dev-2";
	ok(unseal(key, &x, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG,
	   "another record key fails");
	x = b, x.generation = 78;
	ok(unseal(key, &x, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG,
	   "another generation fails");
	x = b, x.value = "fingerprintz";
	ok(unseal(key, &x, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG, "another value fails");
	sealed[SEAL_NONCE_LEN + 3] ^= 0x10;
	ok(unseal(key, &b, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG,
	   "a changed ciphertext fails");
	ok(unseal(key, &b, sealed, SEAL_OVERHEAD - 1, out, sizeof(out)) == -EBADMSG, "a short seal fails");
	seal(key, &b, secret, sizeof(secret), sealed);
	memset(out, 0x55, sizeof(out));
	ok(unseal(key, &b, sealed, sizeof(sealed), out, sizeof(out) - 1) == -EMSGSIZE &&
	   out[0] == 0x55, "a secret longer than the output room is refused, nothing written");
	sealed[SEAL_NONCE_LEN] ^= 1;
	ok(unseal(key, &b, sealed, sizeof(sealed), out, sizeof(out)) == -EBADMSG &&
	   !memcmp(out, zero, sizeof(out)), "a seal that fails leaves no plaintext behind");
	return tap_done();
}
