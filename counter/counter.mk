# counter/: monotonic counters off the flash partition (counter.h): a file,
# or a TPM 2.0 NV counter through libtss2-esys.  Below the store, which
# binds its generation to one; in the store's archive, as flash/ is.
STORE_SRCS += counter/counter_file.c counter/counter_tpm.c
LDLIBS += $(shell pkg-config --libs tss2-esys tss2-tctildr tss2-rc 2>/dev/null)
