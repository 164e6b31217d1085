/*
 * hepml.h — the C ABI of libhepml: open ROOT files (local paths, root:// and http(s):// URLs), list their
 * trees and branches, and stream branches or training batches as Arrow C streams.
 *
 * Every function returns HEPML_OK (0) or a negative status; hepml_last_error() then gives the message of the
 * failing call on the calling thread. Handles and streams may be used from any thread; several streams may be
 * open at once. Strings returned through `char **` are UTF-8 JSON, freed with hepml_string_free().
 */
#ifndef HEPML_H
#define HEPML_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Arrow C data interface (ABI-stable; see the Apache Arrow specification) ---------------------------- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- hepml ---------------------------------------------------------------------------------------------- */

enum {
    HEPML_OK = 0,
    HEPML_ERROR = -1,          /* reading or format error (message in hepml_last_error) */
    HEPML_INVALID_ARGUMENT = -2 /* a null pointer, bad JSON or a bad option */
};

/* Data splits for hepml_dataset_stream. */
enum { HEPML_SPLIT_TRAIN = 0, HEPML_SPLIT_VALIDATION = 1, HEPML_SPLIT_TEST = 2, HEPML_SPLIT_ALL = -1 };

typedef struct hepml_file hepml_file;

/* The library version ("1.0.0"); static storage. */
const char *hepml_version(void);

/* The message of the last failing call on this thread ("" if none); valid until the next call on the thread. */
const char *hepml_last_error(void);

/* Frees a string returned by hepml. */
void hepml_string_free(char *s);

/* Opens a ROOT file by path or URL (root://, http://, https://, /store/... with HEPML_REDIRECTOR). */
int hepml_open(const char *path_or_url, hepml_file **out);

/* Closes a file; streams made from it stay valid until released. */
void hepml_close(hepml_file *file);

/* {"name": ..., "trees": [{"path": "dir/Events", "cycle": 1, "class": "TTree"|"ROOT::RNTuple", "entries": N}]} */
int hepml_file_trees(hepml_file *file, char **json_out);

/* {"path": ..., "entries": N, "rntuple": bool, "branches": [{"name", "type", "kind", "shape", "counter"}],
 *  "skipped": [{"name", "reason"}]} — type/kind/shape as in hepml inspect; only readable branches are listed
 * under "branches". */
int hepml_tree_branches(hepml_file *file, const char *tree, char **json_out);

/* Streams the branches matching `branches_json` (a JSON list of names and globs; null or "[]" for all readable
 * branches) over entries [entry_start, entry_stop) (entry_stop < 0: to the end) in record batches of at most
 * `step_size` entries. Flat branches are primitive arrays, fixed arrays FixedSizeList, jagged branches
 * LargeList (int64 offsets); the buffers are hepml's own and freed by the Arrow release callbacks. */
int hepml_read_stream(hepml_file *file, const char *tree, const char *branches_json, int64_t entry_start,
                      int64_t entry_stop, int64_t step_size, struct ArrowArrayStream *out);

/* Runs the specs pass of a params text (JSON or YAML, the hepml train/export params file); returns the specs
 * JSON (the file hepml specs writes). */
int hepml_specs(const char *params_text, char **json_out);

/* The specs of one part of the params' input: file `file` (index into the params' files) over entries
 * [entry_start, entry_stop) (clipped to the file and the params' entry limit). Branch statistics carry their
 * sums ("sum", "sum_squares", "count", "nan", "inf", "min", "max", "max_length"), so the parts of a pass run in
 * several processes merge into the specs of the whole (hepml.dask.specs). */
int hepml_specs_part(const char *params_text, int64_t file, int64_t entry_start, int64_t entry_stop, char **json_out);

/* {"features": [...], "width": F, "image": [C, H, W] or null} for params + specs. */
int hepml_dataset_info(const char *params_text, const char *specs_json, char **json_out);

/* One pass of the training dataset over `split` (HEPML_SPLIT_*) as record batches {X: FixedSizeList<float32>[F],
 * mask: FixedSizeList<float32>[F], y: float32, w: float32[, images: FixedSizeList<float32>[C*H*W]]}, plus
 * split: uint8 (0 train, 1 validation, 2 test) with HEPML_SPLIT_ALL.
 * `shard_json` (may be null): {"index": i, "count": n, "epoch": e, "unit_size": u} to read only shard i of n
 * (files cut into units of u entries, units permuted by seed and epoch), or {"units": [[file, start, stop], ...]}
 * to read exactly those entry ranges. */
int hepml_dataset_stream(const char *params_text, const char *specs_json, int split, const char *shard_json,
                         struct ArrowArrayStream *out);

#ifdef __cplusplus
}
#endif

#endif /* HEPML_H */
