/*
 * ort_plain: time one ONNX model through the plain ONNX Runtime C API, for comparison with
 * `hepml bench-backend` (which times hepml's Swift ORTSession.infer).
 *
 * No ORT header: the library is dlopen'ed, OrtGetApiBase()->GetApi(1) gives the OrtApi function
 * table, and each function is called through its slot index with a function-pointer type
 * declared here.
 *
 * Per timed call (what the ORT API needs at least, mirroring hepml's per-call tensor creation):
 *   CreateTensorWithDataAsOrtValue over a caller-owned input buffer, Run (all outputs),
 *   GetTensorMutableData on each output, ReleaseValue on every value.
 * With --copy it also does the copies hepml does: the input is memcpy'd into a freshly malloc'd
 * buffer before CreateTensor, and each output is copied out (shape and element count queried,
 * malloc + memcpy) before release.
 *
 * Inputs: same generator and warm-up (100 calls) as hepml's bench-backend. Session options:
 * intra-op threads 1, inter-op threads 1, ORT's default graph optimisation (as hepml).
 *
 * Build: gcc -O2 -o ort_plain ort_plain.c -ldl
 * Usage: ort_plain LIB.so MODEL.onnx [--batch N] [--iterations K] [--copy]
 * Prints: {"tool":"ort-plain","model":...,"batch":N,"copy":0|1,"us_per_call":X}
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void *Status; /* OrtStatus*, NULL on success */

/* OrtApi slots used (positions in the table; ORT only ever appends). */
enum {
    S_GetErrorMessage = 2,
    S_CreateEnv = 3,
    S_CreateSession = 7,
    S_Run = 9,
    S_CreateSessionOptions = 10,
    S_SetIntraOpNumThreads = 24,
    S_SetInterOpNumThreads = 25,
    S_SessionGetInputCount = 30,
    S_SessionGetOutputCount = 31,
    S_SessionGetInputTypeInfo = 33,
    S_SessionGetInputName = 36,
    S_SessionGetOutputName = 37,
    S_CreateTensorWithDataAsOrtValue = 49,
    S_GetTensorMutableData = 51,
    S_CastTypeInfoToTensorInfo = 55,
    S_GetTensorElementType = 60,
    S_GetDimensionsCount = 61,
    S_GetDimensions = 62,
    S_GetTensorShapeElementCount = 64,
    S_GetTensorTypeAndShape = 65,
    S_CreateCpuMemoryInfo = 69,
    S_GetAllocatorWithDefaultOptions = 78,
    S_ReleaseValue = 96,
    S_ReleaseTypeInfo = 98,
    S_ReleaseTensorTypeAndShapeInfo = 99,
};

typedef const void *(*GetApiBaseFn)(void);
typedef const void *(*GetApiFn)(uint32_t);
typedef const char *(*GetErrorMessageFn)(Status);
typedef Status (*CreateEnvFn)(int, const char *, void **);
typedef Status (*CreateSessionOptionsFn)(void **);
typedef Status (*SetThreadsFn)(void *, int);
typedef Status (*CreateSessionFn)(void *, const char *, void *, void **);
typedef Status (*CreateCpuMemoryInfoFn)(int, int, void **);
typedef Status (*GetAllocatorFn)(void **);
typedef Status (*GetCountFn)(const void *, size_t *);
typedef Status (*GetNameFn)(const void *, size_t, void *, char **);
typedef Status (*GetTypeInfoFn)(const void *, size_t, void **);
typedef Status (*CastTypeInfoFn)(const void *, const void **);
typedef Status (*GetElemTypeFn)(const void *, int *);
typedef Status (*GetDimsCountFn)(const void *, size_t *);
typedef Status (*GetDimsFn)(const void *, int64_t *, size_t);
typedef Status (*GetElemCountFn)(const void *, size_t *);
typedef Status (*GetTypeAndShapeFn)(const void *, void **);
typedef Status (*GetMutableDataFn)(void *, void **);
typedef Status (*CreateTensorFn)(const void *, void *, size_t, const int64_t *, size_t, int, void **);
typedef Status (*RunFn)(void *, const void *, const char *const *, const void *const *, size_t,
                        const char *const *, size_t, void **);
typedef void (*ReleaseFn)(void *);

static void *const *api;
#define FN(type, slot) ((type)api[slot])

static void check(Status s, const char *what) {
    if (s) {
        fprintf(stderr, "ort_plain: %s: %s\n", what, FN(GetErrorMessageFn, S_GetErrorMessage)(s));
        exit(1);
    }
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static size_t elem_size(int code) {
    switch (code) {
    case 2: case 3: case 9: return 1;          /* uint8 int8 bool */
    case 4: case 5: case 10: return 2;         /* uint16 int16 fp16 */
    case 1: case 6: case 12: return 4;         /* float int32 uint32 */
    case 7: case 11: case 13: return 8;        /* int64 double uint64 */
    default: return 0;
    }
}

#define MAXIO 16

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s LIB.so MODEL.onnx [--batch N] [--iterations K] [--copy]\n", argv[0]);
        return 2;
    }
    const char *libpath = argv[1], *model = argv[2];
    long batch = 1, iterations = 20000;
    int copy = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atol(argv[++i]);
        else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = atol(argv[++i]);
        else if (!strcmp(argv[i], "--copy")) copy = 1;
        else { fprintf(stderr, "ort_plain: unknown argument %s\n", argv[i]); return 2; }
    }

    void *h = dlopen(libpath, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "ort_plain: %s\n", dlerror()); return 1; }
    GetApiBaseFn get_base = (GetApiBaseFn)dlsym(h, "OrtGetApiBase");
    if (!get_base) { fprintf(stderr, "ort_plain: no OrtGetApiBase in %s\n", libpath); return 1; }
    const void *const *base = (const void *const *)get_base(); /* {GetApi, GetVersionString} */
    api = (void *const *)((GetApiFn)base[0])(1);
    if (!api) { fprintf(stderr, "ort_plain: GetApi(1) failed\n"); return 1; }

    void *env, *opts, *sess, *mem, *alloc;
    check(FN(CreateEnvFn, S_CreateEnv)(3 /* ERROR */, "ort_plain", &env), "CreateEnv");
    check(FN(CreateSessionOptionsFn, S_CreateSessionOptions)(&opts), "CreateSessionOptions");
    check(FN(SetThreadsFn, S_SetIntraOpNumThreads)(opts, 1), "SetIntraOpNumThreads");
    check(FN(SetThreadsFn, S_SetInterOpNumThreads)(opts, 1), "SetInterOpNumThreads");
    check(FN(CreateSessionFn, S_CreateSession)(env, model, opts, &sess), "CreateSession");
    check(FN(CreateCpuMemoryInfoFn, S_CreateCpuMemoryInfo)(0 /* OrtDeviceAllocator */, 0 /* default */, &mem),
          "CreateCpuMemoryInfo");
    check(FN(GetAllocatorFn, S_GetAllocatorWithDefaultOptions)(&alloc), "GetAllocatorWithDefaultOptions");

    size_t nin, nout;
    check(FN(GetCountFn, S_SessionGetInputCount)(sess, &nin), "SessionGetInputCount");
    check(FN(GetCountFn, S_SessionGetOutputCount)(sess, &nout), "SessionGetOutputCount");
    if (nin > MAXIO || nout > MAXIO) { fprintf(stderr, "ort_plain: too many inputs/outputs\n"); return 1; }

    char *in_names[MAXIO], *out_names[MAXIO];
    int64_t in_dims[MAXIO][8];
    size_t in_rank[MAXIO], in_count[MAXIO], in_bytes[MAXIO];
    float *in_data[MAXIO];
    uint64_t state = 12345;
    for (size_t i = 0; i < nin; i++) {
        check(FN(GetNameFn, S_SessionGetInputName)(sess, i, alloc, &in_names[i]), "SessionGetInputName");
        void *ti;
        const void *tinfo;
        int code;
        check(FN(GetTypeInfoFn, S_SessionGetInputTypeInfo)(sess, i, &ti), "SessionGetInputTypeInfo");
        check(FN(CastTypeInfoFn, S_CastTypeInfoToTensorInfo)(ti, &tinfo), "CastTypeInfoToTensorInfo");
        check(FN(GetElemTypeFn, S_GetTensorElementType)(tinfo, &code), "GetTensorElementType");
        if (code != 1) { fprintf(stderr, "ort_plain: input %s is not float\n", in_names[i]); return 1; }
        check(FN(GetDimsCountFn, S_GetDimensionsCount)(tinfo, &in_rank[i]), "GetDimensionsCount");
        if (in_rank[i] > 8) { fprintf(stderr, "ort_plain: rank > 8\n"); return 1; }
        check(FN(GetDimsFn, S_GetDimensions)(tinfo, in_dims[i], in_rank[i]), "GetDimensions");
        FN(ReleaseFn, S_ReleaseTypeInfo)(ti);
        in_count[i] = 1;
        for (size_t d = 0; d < in_rank[i]; d++) {
            if (in_dims[i][d] < 0) in_dims[i][d] = d == 0 ? batch : 1; /* same rule as hepml */
            in_count[i] *= (size_t)in_dims[i][d];
        }
        in_bytes[i] = in_count[i] * sizeof(float);
        in_data[i] = malloc(in_bytes[i] ? in_bytes[i] : 1);
        for (size_t k = 0; k < in_count[i]; k++) { /* hepml's generator */
            state = state * 6364136223846793005ULL + 1;
            in_data[i][k] = (float)(state >> 40) / (float)(1 << 24);
        }
    }
    for (size_t i = 0; i < nout; i++)
        check(FN(GetNameFn, S_SessionGetOutputName)(sess, i, alloc, &out_names[i]), "SessionGetOutputName");

    CreateTensorFn create_tensor = FN(CreateTensorFn, S_CreateTensorWithDataAsOrtValue);
    RunFn run = FN(RunFn, S_Run);
    ReleaseFn release_value = FN(ReleaseFn, S_ReleaseValue);
    GetMutableDataFn get_data = FN(GetMutableDataFn, S_GetTensorMutableData);
    GetTypeAndShapeFn get_ts = FN(GetTypeAndShapeFn, S_GetTensorTypeAndShape);
    GetElemTypeFn get_et = FN(GetElemTypeFn, S_GetTensorElementType);
    GetDimsCountFn get_dc = FN(GetDimsCountFn, S_GetDimensionsCount);
    GetDimsFn get_dims = FN(GetDimsFn, S_GetDimensions);
    GetElemCountFn get_ec = FN(GetElemCountFn, S_GetTensorShapeElementCount);
    ReleaseFn release_ts = FN(ReleaseFn, S_ReleaseTensorTypeAndShapeInfo);

    volatile uintptr_t sink = 0;
    long total = iterations + 100;
    double start = 0;
    for (long it = 0; it < total; it++) {
        if (it == 100) start = now_us(); /* 100 warm-up calls, as hepml */
        void *inputs[MAXIO], *outputs[MAXIO] = {0};
        void *bufs[MAXIO];
        for (size_t i = 0; i < nin; i++) {
            void *p = in_data[i];
            if (copy) {
                bufs[i] = malloc(in_bytes[i] ? in_bytes[i] : 1);
                memcpy(bufs[i], in_data[i], in_bytes[i]);
                p = bufs[i];
            }
            check(create_tensor(mem, p, in_bytes[i], in_dims[i], in_rank[i], 1, &inputs[i]), "CreateTensor");
        }
        check(run(sess, NULL, (const char *const *)in_names, (const void *const *)inputs, nin,
                  (const char *const *)out_names, nout, outputs), "Run");
        for (size_t o = 0; o < nout; o++) {
            void *data;
            if (copy) {
                void *ts;
                int code;
                size_t rank, count;
                int64_t dims[8];
                check(get_ts(outputs[o], &ts), "GetTensorTypeAndShape");
                check(get_et(ts, &code), "GetTensorElementType");
                check(get_dc(ts, &rank), "GetDimensionsCount");
                check(get_dims(ts, dims, rank < 8 ? rank : 8), "GetDimensions");
                check(get_ec(ts, &count), "GetTensorShapeElementCount");
                release_ts(ts);
                check(get_data(outputs[o], &data), "GetTensorMutableData");
                size_t nbytes = count * elem_size(code);
                void *dst = malloc(nbytes ? nbytes : 1);
                memcpy(dst, data, nbytes);
                sink += (uintptr_t)((unsigned char *)dst)[0];
                free(dst);
            } else {
                check(get_data(outputs[o], &data), "GetTensorMutableData");
                sink += (uintptr_t)data;
            }
            release_value(outputs[o]);
        }
        for (size_t i = 0; i < nin; i++) {
            release_value(inputs[i]);
            if (copy) free(bufs[i]);
        }
    }
    double us = (now_us() - start) / (double)iterations;
    printf("{\"tool\":\"ort-plain\",\"model\":\"%s\",\"batch\":%ld,\"copy\":%d,\"us_per_call\":%.4f}\n", model, batch, copy,
           us);
    return 0;
}
