/*
 * config.c - parsing ~/.aws/config and ~/.aws/credentials.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

struct entry {
	char *key;
	char *value;
};

struct section {
	char *kind; /* "profile", "services", "sso-session", ... */
	char *name;
	struct entry *entries;
	size_t n, cap;
};

struct file {
	struct section *sections;
	size_t n, cap;
	char *path;
};

struct pz_aws_config {
	struct file config;
	struct file credentials;
};

static void free_secret_str(char *s)
{
	if (s)
		pz_free_secret(s, strlen(s));
}

static void file_release(struct file *f)
{
	size_t i, j;

	for (i = 0; i < f->n; i++) {
		struct section *s = &f->sections[i];

		for (j = 0; j < s->n; j++) {
			free(s->entries[j].key);
			free_secret_str(s->entries[j].value);
		}
		free(s->entries);
		free(s->kind);
		free(s->name);
	}
	free(f->sections);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

void pz_aws_config_free(struct pz_aws_config *c)
{
	if (!c)
		return;
	file_release(&c->config);
	file_release(&c->credentials);
	free(c);
}

static char *trimmed(const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return pz_xstrndup(s, len);
}

static struct section *find_section(const struct file *f, const char *kind,
				    const char *name)
{
	size_t i;

	/* The last one wins when a section repeats, as in configparser. */
	for (i = f->n; i-- > 0;)
		if (!strcmp(f->sections[i].kind, kind) &&
		    !strcmp(f->sections[i].name, name))
			return &f->sections[i];
	return NULL;
}

static struct section *add_section(struct file *f, char *kind, char *name)
{
	struct section *s = find_section(f, kind, name);

	if (s) {
		free(kind);
		free(name);
		return s;
	}
	PZ_GROW(f->sections, f->n, f->cap);
	s = &f->sections[f->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->name = name;
	return s;
}

static struct entry *find_entry(const struct section *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->entries[i].key, key))
			return &s->entries[i];
	return NULL;
}

static struct entry *set_entry(struct section *s, char *key, char *value)
{
	struct entry *e = find_entry(s, key);

	if (e) {
		free(key);
		free_secret_str(e->value);
		e->value = value;
		return e;
	}
	PZ_GROW(s->entries, s->n, s->cap);
	e = &s->entries[s->n++];
	e->key = key;
	e->value = value;
	return e;
}

/* Splits a section header into kind and name for the given file type. */
static void section_name(const char *inner, bool credentials, char **kind,
			 char **name)
{
	const char *sp;

	if (credentials) {
		*kind = pz_xstrdup("profile");
		*name = pz_xstrdup(inner);
		return;
	}
	if (!strcmp(inner, "default")) {
		*kind = pz_xstrdup("profile");
		*name = pz_xstrdup("default");
		return;
	}
	sp = inner;
	while (*sp && !isspace((unsigned char)*sp))
		sp++;
	if (!*sp) {
		/* "[name]" without a kind in the config file: the SDKs
		 * ignore it, and so do we (kind "ignored"). */
		*kind = pz_xstrdup("ignored");
		*name = pz_xstrdup(inner);
		return;
	}
	*kind = pz_xstrndup(inner, (size_t)(sp - inner));
	while (isspace((unsigned char)*sp))
		sp++;
	*name = pz_xstrdup(sp);
}

static int parse_file(struct file *f, const char *text, bool credentials,
		      const char *what)
{
	const char *line = text, *nl;
	struct section *cur = NULL;
	struct entry *last;
	size_t last_idx = SIZE_MAX; /* index: entries may move */
	char *parent = NULL;
	int lineno = 0, r = 0;

	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t len, i;
		const char *eq;
		bool indented;

		lineno++;
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len && line[len - 1] == '\r')
			len--;
		indented = len && (line[0] == ' ' || line[0] == '\t');
		for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
			;
		if (i == len || line[i] == '#' || line[i] == ';')
			continue;
		if (!indented && line[i] == '[') {
			const char *close = memchr(line + i, ']', len - i);
			char *inner, *kind, *name;

			if (!close) {
				r = pz_error_set(PZ_EINVAL,
						 "%s:%d: unterminated section "
						 "header",
						 what, lineno);
				goto out;
			}
			inner = trimmed(line + i + 1,
					(size_t)(close - line - i - 1));
			section_name(inner, credentials, &kind, &name);
			free(inner);
			cur = add_section(f, kind, name);
			last_idx = SIZE_MAX;
			free(parent);
			parent = NULL;
			continue;
		}
		if (!cur) {
			r = pz_error_set(PZ_EINVAL,
					 "%s:%d: setting outside a section",
					 what, lineno);
			goto out;
		}
		eq = memchr(line + i, '=', len - i);
		if (indented && last_idx != SIZE_MAX && (parent || !eq)) {
			/* Sub-property or continuation line. */
			if (parent && eq) {
				char *k =
				    trimmed(line + i, (size_t)(eq - line - i));
				char *v = trimmed(
				    eq + 1, (size_t)(line + len - eq - 1));
				char *full = pz_xasprintf("%s.%s", parent, k);

				for (char *p = full; *p; p++)
					*p = (char)tolower((unsigned char)*p);
				set_entry(cur, full, v);
				free(k);
			} else {
				char *v = trimmed(line + i, len - i);
				char *joined;

				last = &cur->entries[last_idx];
				joined =
				    pz_xasprintf("%s%s%s", last->value,
						 *last->value ? "\n" : "", v);

				free_secret_str(v);
				free_secret_str(last->value);
				last->value = joined;
			}
			continue;
		}
		if (!eq) {
			r = pz_error_set(PZ_EINVAL,
					 "%s:%d: expected 'key = value'", what,
					 lineno);
			goto out;
		}
		{
			char *k = trimmed(line + i, (size_t)(eq - line - i));
			char *v =
			    trimmed(eq + 1, (size_t)(line + len - eq - 1));

			for (char *p = k; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			free(parent);
			parent = *v ? NULL : pz_xstrdup(k);
			last = set_entry(cur, k, v);
			last_idx = (size_t)(last - cur->entries);
		}
	}
out:
	free(parent);
	return r;
}

int pz_aws_config_parse(struct pz_aws_config **out, const char *config_text,
			const char *credentials_text)
{
	struct pz_aws_config *c = pz_xcalloc(1, sizeof(*c));
	int r = 0;

	*out = NULL;
	if (config_text)
		r = parse_file(&c->config, config_text, false, "config");
	if (!r && credentials_text)
		r = parse_file(&c->credentials, credentials_text, true,
			       "credentials");
	if (r) {
		pz_aws_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

static char *default_path(const char *env, const char *file)
{
	const char *v = getenv(env), *home;

	if (v && *v)
		return pz_xstrdup(v);
	home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	return pz_xasprintf("%s/.aws/%s", home, file);
}

/* Reads path into f; a missing file is empty. */
static int load_file(struct file *f, const char *path, bool credentials)
{
	struct pz_buf b;
	int r;

	if (!path)
		return 0;
	f->path = pz_xstrdup(path);
	pz_buf_init(&b, 4 << 20);
	r = pz_buf_read_file(&b, path);
	if (r == PZ_ENOTFOUND) {
		pz_buf_release(&b);
		pz_error_clear();
		return 0;
	}
	if (!r)
		r = parse_file(f, pz_buf_cstr(&b), credentials, path);
	pz_buf_release_secret(&b);
	return r;
}

int pz_aws_config_load(struct pz_aws_config **out, const char *config_path,
		       const char *credentials_path)
{
	struct pz_aws_config *c = pz_xcalloc(1, sizeof(*c));
	char *cp = config_path ? pz_xstrdup(config_path)
			       : default_path("AWS_CONFIG_FILE", "config");
	char *kp =
	    credentials_path
		? pz_xstrdup(credentials_path)
		: default_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	int r;

	*out = NULL;
	r = load_file(&c->config, cp, false);
	if (!r)
		r = load_file(&c->credentials, kp, true);
	free(cp);
	free(kp);
	if (r) {
		pz_aws_config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

bool pz_aws_config_has_profile(const struct pz_aws_config *c,
			       const char *profile)
{
	return find_section(&c->credentials, "profile", profile) ||
	       find_section(&c->config, "profile", profile);
}

const char *pz_aws_config_get(const struct pz_aws_config *c,
			      const char *profile, const char *key,
			      bool *from_credentials)
{
	const struct section *s;
	const struct entry *e;

	s = find_section(&c->credentials, "profile", profile);
	if (s && (e = find_entry(s, key))) {
		if (from_credentials)
			*from_credentials = true;
		return e->value;
	}
	s = find_section(&c->config, "profile", profile);
	if (s && (e = find_entry(s, key))) {
		if (from_credentials)
			*from_credentials = false;
		return e->value;
	}
	return NULL;
}

const char *pz_aws_config_section_get(const struct pz_aws_config *c,
				      const char *kind, const char *name,
				      const char *key)
{
	const struct section *s = find_section(&c->config, kind, name);
	const struct entry *e = s ? find_entry(s, key) : NULL;

	return e ? e->value : NULL;
}

const char *pz_aws_config_path(const struct pz_aws_config *c)
{
	return c->config.path;
}

const char *pz_aws_config_credentials_path(const struct pz_aws_config *c)
{
	return c->credentials.path;
}
