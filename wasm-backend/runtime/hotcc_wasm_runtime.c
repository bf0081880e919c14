/* The main module's side of hotcc patches. See include/hotcc_wasm.h. C, and valid C++ too, so
 * that em++ can compile it with the rest of an app. */
#include "hotcc_wasm.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/console.h>
#define HOTCC_EXPORT EMSCRIPTEN_KEEPALIVE
#define HOTCC_TARGET "wasm32-unknown-emscripten"
#else
#define HOTCC_EXPORT __attribute__((used, visibility("default")))
#define HOTCC_TARGET "wasm32-wasi"
#endif

/* ---- registered units ---- */

typedef struct {
  const char *name;      /* link name, points into the unit's descriptor copy */
  const char *signature; /* 16 hex digits */
} slot_info;

typedef struct {
  char *text; /* the descriptor, split into NUL-terminated fields in place */
  const char *tag;
  const char *build;
  const char *file;
  void **slots;
  unsigned count;
  slot_info *info;
} unit;

static unit *units;
static unsigned unit_count;
static char last_error[1024];
static char last_patch[64];
static unsigned patches_applied;

static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
  return -1;
}

/* Splits `line` at spaces into at most `max` fields; returns how many. */
static int split_fields(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  while (*p && n < max) {
    while (*p == ' ')
      *p++ = '\0';
    if (!*p)
      break;
    fields[n++] = p;
    while (*p && *p != ' ')
      ++p;
  }
  while (*p == ' ')
    *p++ = '\0';
  return n;
}

/* Calls `each(fields, n, context)` for every line of `text` (modified in place). */
typedef int (*line_handler)(char **fields, int n, void *context);
static int for_each_line(char *text, line_handler each, void *context) {
  char *line = text;
  while (line && *line) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    char *fields[8];
    int n = split_fields(line, fields, 8);
    if (n > 0 && each(fields, n, context) != 0)
      return -1;
    line = end ? end + 1 : NULL;
  }
  return 0;
}

static int read_unit_line(char **f, int n, void *context) {
  unit *u = (unit *)context;
  if (n == 2 && strcmp(f[0], "unit") == 0)
    u->tag = f[1];
  else if (n == 2 && strcmp(f[0], "build") == 0)
    u->build = f[1];
  else if (n == 2 && strcmp(f[0], "file") == 0)
    u->file = f[1];
  else if (n == 4 && strcmp(f[0], "slot") == 0) {
    unsigned index = (unsigned)strtoul(f[1], NULL, 10);
    if (index < u->count) {
      u->info[index].name = f[2];
      u->info[index].signature = f[3];
    }
  }
  return 0;
}

HOTCC_EXPORT void hotcc_wasm_register_unit(const char *descriptor, void **slots, unsigned count) {
  unit *grown = (unit *)realloc(units, (unit_count + 1) * sizeof *units);
  if (!grown)
    return;
  units = grown;
  unit *u = &units[unit_count];
  memset(u, 0, sizeof *u);
  u->text = strdup(descriptor);
  u->slots = slots;
  u->count = count;
  u->info = (slot_info *)calloc(count ? count : 1, sizeof *u->info);
  if (!u->text || !u->info)
    return;
  for_each_line(u->text, read_unit_line, u);
  if (u->tag && u->build)
    ++unit_count;
}

static unit *find_unit(const char *tag) {
  for (unsigned i = 0; i < unit_count; ++i)
    if (strcmp(units[i].tag, tag) == 0)
      return &units[i];
  return NULL;
}

static int find_slot(const unit *u, const char *name) {
  for (unsigned i = 0; i < u->count; ++i)
    if (u->info[i].name && strcmp(u->info[i].name, name) == 0)
      return (int)i;
  return -1;
}

/* ---- reading a patch ---- */

typedef struct {
  const unsigned char *p, *end;
  int ok;
} reader;

static unsigned read_u32(reader *r) {
  unsigned value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (r->p >= r->end) {
      r->ok = 0;
      return 0;
    }
    unsigned char b = *r->p++;
    value |= (unsigned)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return value;
  }
  r->ok = 0;
  return 0;
}

/* Finds custom section `name`; sets *first_custom to the first section's name check. */
typedef struct {
  int first_is_dylink;
  const unsigned char *manifest;
  size_t manifest_size;
  const unsigned char *imports, *imports_end; /* the import section's contents */
} patch_layout;

static int scan_sections(const unsigned char *bytes, size_t size, patch_layout *out) {
  static const unsigned char header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  if (size < 8 || memcmp(bytes, header, 4) != 0)
    return fail("not a WebAssembly module (no \\0asm header)");
  if (memcmp(bytes + 4, header + 4, 4) != 0)
    return fail("unsupported WebAssembly version");
  reader r = {bytes + 8, bytes + size, 1};
  int first = 1;
  memset(out, 0, sizeof *out);
  while (r.p < r.end) {
    unsigned id = *r.p++;
    unsigned length = read_u32(&r);
    if (!r.ok || length > (size_t)(r.end - r.p))
      return fail("truncated WebAssembly module");
    const unsigned char *section_end = r.p + length;
    if (id == 0) {
      reader s = {r.p, section_end, 1};
      unsigned name_length = read_u32(&s);
      if (!s.ok || name_length > (size_t)(section_end - s.p))
        return fail("malformed custom section");
      const char *name = (const char *)s.p;
      const unsigned char *payload = s.p + name_length;
      if (first && name_length == 8 && memcmp(name, "dylink.0", 8) == 0)
        out->first_is_dylink = 1;
      if (name_length == 11 && memcmp(name, "hotcc.patch", 11) == 0 && !out->manifest) {
        out->manifest = payload;
        out->manifest_size = (size_t)(section_end - payload);
      }
    }
    if (id == 2) {
      out->imports = r.p;
      out->imports_end = section_end;
    }
    first = 0;
    r.p = section_end;
  }
  return 0;
}

#define MAX_FILLS 4096

typedef struct {
  const char *id, *target, *after;
  int version;
  unsigned fills;
  const char *fill_slot[MAX_FILLS], *fill_export[MAX_FILLS];
  unit *fill_target[MAX_FILLS];
  int fill_index[MAX_FILLS];
  int line;
} manifest;

static int read_manifest_line(char **f, int n, void *context) {
  manifest *m = (manifest *)context;
  ++m->line;
  if (m->line == 1) {
    if (n != 2 || strcmp(f[0], "hotcc-patch") != 0)
      return fail("the hotcc.patch section is not a hotcc manifest");
    m->version = atoi(f[1]);
    if (m->version != 1)
      return fail("manifest version %d is not supported by this runtime (reads version 1)",
                  m->version);
  } else if (n == 2 && strcmp(f[0], "id") == 0) {
    m->id = f[1];
  } else if (n == 2 && strcmp(f[0], "target") == 0) {
    m->target = f[1];
  } else if (n == 2 && strcmp(f[0], "after") == 0) {
    m->after = f[1];
  } else if (n == 3 && strcmp(f[0], "unit") == 0) {
    unit *u = find_unit(f[1]);
    if (!u)
      return fail("the patch is for hot code (unit %s) this main module does not have", f[1]);
    if (strcmp(u->build, f[2]) != 0)
      return fail("the patch was built against build %s of %s; this main module has build %s "
                  "(rebuild the patch from the main module's build state)",
                  f[2], u->file ? u->file : u->tag, u->build);
  } else if (n == 6 && strcmp(f[0], "fill") == 0) {
    if (m->fills == MAX_FILLS)
      return fail("the patch fills more than %d slots", MAX_FILLS);
    unit *u = find_unit(f[1]);
    if (!u)
      return fail("the patch fills a slot of unit %s, which it does not declare", f[1]);
    int index = find_slot(u, f[2]);
    if (index < 0)
      return fail("the patch replaces %s, which has no slot in this main module", f[2]);
    if (strcmp(u->info[index].signature, f[3]) != 0)
      return fail("the patch gives %s a different type than its slot in this main module", f[2]);
    unsigned k = m->fills++;
    m->fill_slot[k] = f[2];
    m->fill_export[k] = f[5];
    m->fill_target[k] = u;
    m->fill_index[k] = index;
  } else {
    return fail("manifest line %d is not understood", m->line);
  }
  return 0;
}

static unsigned char *read_whole_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fail("cannot open %s", path);
    return NULL;
  }
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char *bytes = length > 0 ? (unsigned char *)malloc((size_t)length) : NULL;
  if (!bytes || fread(bytes, 1, (size_t)length, file) != (size_t)length) {
    fclose(file);
    free(bytes);
    fail("cannot read %s", path);
    return NULL;
  }
  fclose(file);
  *size = (size_t)length;
  return bytes;
}

static int skip_limits(reader *r) {
  unsigned flags = r->p < r->end ? *r->p++ : 0;
  read_u32(r);
  if (flags & 1)
    read_u32(r);
  return r->ok;
}

/* Every function the patch calls from the main module ("env") or takes the address of
 * ("GOT.func") must be there: emscripten would otherwise load the patch and put a stub in its
 * place that throws when called. Storage ("GOT.mem") emscripten checks itself while loading. */
static int check_imports(const patch_layout *layout) {
  if (!layout->imports)
    return 0;
  reader r = {layout->imports, layout->imports_end, 1};
  unsigned count = read_u32(&r);
  char name[256];
  for (unsigned i = 0; i < count && r.ok; ++i) {
    unsigned module_length = read_u32(&r);
    if (!r.ok || module_length > (size_t)(r.end - r.p))
      break;
    const char *module = (const char *)r.p;
    r.p += module_length;
    unsigned name_length = read_u32(&r);
    if (!r.ok || name_length > (size_t)(r.end - r.p))
      break;
    const char *field = (const char *)r.p;
    r.p += name_length;
    unsigned kind = r.p < r.end ? *r.p++ : 0xff;
    switch (kind) {
    case 0: read_u32(&r); break;                          /* function: type index */
    case 1: if (r.p < r.end) ++r.p; skip_limits(&r); break; /* table */
    case 2: skip_limits(&r); break;                       /* memory */
    case 3: if (r.end - r.p >= 2) r.p += 2; else r.ok = 0; break; /* global */
    case 4: if (r.p < r.end) ++r.p; read_u32(&r); break;  /* tag */
    default: r.ok = 0;
    }
    int is_env_function = kind == 0 && module_length == 3 && memcmp(module, "env", 3) == 0;
    int is_function_address = module_length == 8 && memcmp(module, "GOT.func", 8) == 0;
    if (!r.ok || !(is_env_function || is_function_address))
      continue;
    if (name_length >= sizeof name)
      return fail("the patch imports a symbol with a name longer than %u bytes",
                  (unsigned)sizeof name - 1);
    memcpy(name, field, name_length);
    name[name_length] = '\0';
    if (!dlsym(RTLD_DEFAULT, name))
      return fail("the patch calls %s, which this main module does not export (link the main "
                  "module with _%s in -sEXPORTED_FUNCTIONS)", name, name);
  }
  if (!r.ok)
    return fail("the patch's import section is malformed");
  return 0;
}

/* Reads and checks the patch; on success *m describes it and *text must be freed. */
static int check(const char *path, manifest *m, char **text) {
  size_t size = 0;
  unsigned char *bytes = read_whole_file(path, &size);
  if (!bytes)
    return -1;
  patch_layout layout;
  if (scan_sections(bytes, size, &layout) != 0) {
    free(bytes);
    return -1;
  }
  if (!layout.first_is_dylink) {
    free(bytes);
    return fail("%s is not a wasm side module (it does not start with a dylink.0 section)", path);
  }
  if (!layout.manifest) {
    free(bytes);
    return fail("%s is not a hotcc patch (no hotcc.patch manifest section)", path);
  }
  if (check_imports(&layout) != 0) {
    free(bytes);
    return -1;
  }
  *text = (char *)malloc(layout.manifest_size + 1);
  memcpy(*text, layout.manifest, layout.manifest_size);
  (*text)[layout.manifest_size] = '\0';
  free(bytes);
  memset(m, 0, sizeof *m);
  if (for_each_line(*text, read_manifest_line, m) != 0)
    return -1;
  if (!m->id)
    return fail("the manifest has no patch id");
  if (!m->target || strcmp(m->target, HOTCC_TARGET) != 0)
    return fail("the patch targets %s; this main module is %s", m->target ? m->target : "nothing",
                HOTCC_TARGET);
  /* A patch carries what changed since the one before it: out of order, the code would mix. The
   * same patch again is fine (it changes nothing). */
  const char *current = last_patch[0] ? last_patch : "main";
  if (m->after && strcmp(m->after, current) != 0 && strcmp(m->id, last_patch) != 0)
    return fail("the patch follows %s, but this main module is at %s (apply the patches in the "
                "order they were built, or rebuild the main module with --main)",
                strcmp(m->after, "main") == 0 ? "the main build" : m->after,
                last_patch[0] ? last_patch : "the main build");
  return 0;
}

HOTCC_EXPORT int hotcc_wasm_check_patch(const char *path) {
  static manifest m;
  char *text = NULL;
  int result = check(path, &m, &text);
  free(text);
  return result;
}

HOTCC_EXPORT int hotcc_wasm_apply_patch(const char *path) {
  static manifest m; /* large: kept off the small wasm stack */
  static void *targets[MAX_FILLS];
  char *text = NULL;
  if (check(path, &m, &text) != 0) {
    free(text);
    return -1;
  }
  /* RTLD_GLOBAL: storage a patch defines is found by the patches after it. */
  void *handle = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
  if (!handle) {
    const char *why = dlerror();
    free(text);
    return fail("loading %s failed: %s", path, why ? why : "unknown error");
  }
  for (unsigned k = 0; k < m.fills; ++k) {
    targets[k] = dlsym(handle, m.fill_export[k]);
    if (!targets[k]) {
      fail("the patch does not export %s (for %s)", m.fill_export[k], m.fill_slot[k]);
      free(text);
      return -1;
    }
  }
  /* Every check passed: now, and only now, the slots change. */
  for (unsigned k = 0; k < m.fills; ++k)
    m.fill_target[k]->slots[m.fill_index[k]] = targets[k];
  snprintf(last_patch, sizeof last_patch, "%s", m.id);
  ++patches_applied;
  last_error[0] = '\0';
  unsigned written = m.fills;
  free(text);
  return (int)written;
}

HOTCC_EXPORT const char *hotcc_wasm_last_error(void) { return last_error; }
HOTCC_EXPORT const char *hotcc_wasm_last_patch(void) { return last_patch; }
HOTCC_EXPORT unsigned hotcc_wasm_patches_applied(void) { return patches_applied; }

HOTCC_EXPORT unsigned hotcc_wasm_slot_count(void) {
  unsigned total = 0;
  for (unsigned i = 0; i < unit_count; ++i)
    total += units[i].count;
  return total;
}

/* ---- helpers for patches ---- */

HOTCC_EXPORT void *hotcc_rt_alloc(size_t size) { return calloc(1, size ? size : 1); }
HOTCC_EXPORT void hotcc_rt_free(void *pointer) { free(pointer); }

HOTCC_EXPORT void hotcc_rt_log(const char *message) {
#ifdef __EMSCRIPTEN__
  emscripten_console_log(message);
#else
  puts(message);
#endif
}

static hotcc_box *new_box(hotcc_box_tag tag) {
  hotcc_box *box = (hotcc_box *)hotcc_rt_alloc(sizeof *box);
  if (box)
    box->tag = tag;
  return box;
}

HOTCC_EXPORT hotcc_box *hotcc_box_int(int64_t value) {
  hotcc_box *box = new_box(HOTCC_BOX_INT);
  if (box)
    box->as.i = value;
  return box;
}

HOTCC_EXPORT hotcc_box *hotcc_box_double(double value) {
  hotcc_box *box = new_box(HOTCC_BOX_DOUBLE);
  if (box)
    box->as.d = value;
  return box;
}

HOTCC_EXPORT hotcc_box *hotcc_box_string(const char *text) {
  hotcc_box *box = new_box(HOTCC_BOX_STRING);
  if (box)
    box->as.s = strdup(text ? text : "");
  return box;
}

HOTCC_EXPORT int64_t hotcc_unbox_int(const hotcc_box *box) {
  if (!box)
    return 0;
  return box->tag == HOTCC_BOX_INT ? box->as.i
         : box->tag == HOTCC_BOX_DOUBLE ? (int64_t)box->as.d
                                        : 0;
}

HOTCC_EXPORT double hotcc_unbox_double(const hotcc_box *box) {
  if (!box)
    return 0;
  return box->tag == HOTCC_BOX_DOUBLE ? box->as.d
         : box->tag == HOTCC_BOX_INT ? (double)box->as.i
                                     : 0;
}

HOTCC_EXPORT void hotcc_box_free(hotcc_box *box) {
  if (box && box->tag == HOTCC_BOX_STRING)
    free((void *)box->as.s);
  hotcc_rt_free(box);
}
