/* The text forms of an emulated flash's geometry and faults, for the tests'
 * environment variables and the daemon's --image option. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flash_emu.h"

/* "128k", "2k", "4m", "512": false on anything else or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *s == '-')
		return false;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	if (*end || v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

static bool parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (!parse_size(s, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "3:7:9" into a list of at most FLASH_EMU_LIST_MAX blocks. */
static bool parse_blocks(const char *s, uint32_t *list, uint32_t *n)
{
	char buf[256], *save, *tok;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save))
		if (*n >= FLASH_EMU_LIST_MAX || !parse_u32(tok, &list[(*n)++]))
			return false;
	return *n > 0;
}

static bool parse_pages(const char *s, struct flash_faults *f)
{
	char buf[256], *save, *tok, *dot;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		struct flash_emu_page *p = &f->badpage[f->n_badpage];

		dot = strchr(tok, '.');
		if (!dot || f->n_badpage >= FLASH_EMU_LIST_MAX)
			return false;
		*dot = '\0';
		if (!parse_u32(tok, &p->block) || !parse_u32(dot + 1, &p->page))
			return false;
		f->n_badpage++;
	}
	return f->n_badpage > 0;
}

/* Calls item(key, value, ctx) for each "key[=value]" of a comma list. */
static int for_each_item(const char *spec, const char *what,
			 bool (*item)(const char *key, const char *value, void *ctx),
			 void *ctx, struct cs_err *err)
{
	char *copy = strdup(spec), *save, *tok;
	int rc = 0;

	if (!copy)
		return cs_err_set(err, ENOMEM, "out of memory");
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (eq)
			*eq = '\0';
		if (!item(tok, eq ? eq + 1 : NULL, ctx))
			rc = cs_err_set(err, EINVAL, "%s: bad item \"%s%s%s\"", what, tok,
					eq ? "=" : "", eq ? eq + 1 : "");
	}
	free(copy);
	return rc;
}

static bool geometry_item(const char *key, const char *value, void *ctx)
{
	struct flash_geometry *g = ctx;

	if (!value)
		return false;
	if (!strcmp(key, "eb"))
		return parse_u32(value, &g->eraseblock_size);
	if (!strcmp(key, "page"))
		return g->type == FLASH_NAND && parse_u32(value, &g->page_size);
	if (!strcmp(key, "subpage"))
		return g->type == FLASH_NAND && parse_u32(value, &g->program_unit);
	if (!strcmp(key, "blocks"))
		return parse_u32(value, &g->eraseblock_count);
	return false;
}

int flash_emu_parse_geometry(const char *spec, struct flash_geometry *geo,
			     struct cs_err *err)
{
	const char *rest = spec + strcspn(spec, ",");
	int rc;

	if (!strncmp(spec, "nand", 4) && spec + 4 == rest)
		*geo = (struct flash_geometry){ FLASH_NAND, 128 << 10, 32, 2048, 512, true };
	else if (!strncmp(spec, "nor", 3) && spec + 3 == rest)
		*geo = (struct flash_geometry){ FLASH_NOR, 64 << 10, 32, 1, 1, false };
	else
		return cs_err_set(err, EINVAL, "flash geometry \"%s\": starts with nand or nor", spec);
	if (*rest && (rc = for_each_item(rest + 1, "flash geometry", geometry_item, geo, err)))
		return rc;
	if (!geo->eraseblock_size || !geo->eraseblock_count || !geo->page_size ||
	    !geo->program_unit || geo->eraseblock_size % geo->page_size ||
	    geo->page_size % geo->program_unit)
		return cs_err_set(err, EINVAL, "flash geometry \"%s\": sizes must be non-zero "
				  "and divide each other", spec);
	return 0;
}

static bool fault_item(const char *key, const char *value, void *ctx)
{
	struct flash_faults *f = ctx;
	uint64_t v;

	if (!strcmp(key, "torn"))
		return !value && (f->torn = true);
	if (!value)
		return false;
	if (!strcmp(key, "cut")) {
		if (!parse_size(value, &v))
			return false;
		f->cut_after = (int64_t)v;
		return true;
	}
	if (!strcmp(key, "seed"))
		return parse_size(value, &f->seed);
	if (!strcmp(key, "progfail"))
		return parse_blocks(value, f->program_fail, &f->n_program_fail);
	if (!strcmp(key, "erasefail"))
		return parse_blocks(value, f->erase_fail, &f->n_erase_fail);
	if (!strcmp(key, "bitflip"))
		return parse_blocks(value, f->bitflip, &f->n_bitflip);
	if (!strcmp(key, "bad"))
		return parse_blocks(value, f->factory_bad, &f->n_factory_bad);
	if (!strcmp(key, "badpage"))
		return parse_pages(value, f);
	return false;
}

void flash_faults_none(struct flash_faults *faults)
{
	memset(faults, 0, sizeof(*faults));
	faults->cut_after = -1;
}

int flash_faults_parse(const char *spec, struct flash_faults *faults, struct cs_err *err)
{
	struct flash_faults f;
	int rc;

	flash_faults_none(&f);
	if ((rc = for_each_item(spec, "flash faults", fault_item, &f, err)))
		return rc;
	*faults = f;
	return 0;
}
