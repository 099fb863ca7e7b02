/*
 * decode_bound.c: the decode-only lower bound for `dsprep shard --gray --size 96`.
 *
 * Usage: decode_bound DATA [SIZE] [THREADS]      (SIZE 96, THREADS 2)
 * Build: cc -O2 -o decode_bound Benchmarks/decode_bound.c -lturbojpeg -lpthread
 *
 * Lists DATA/<class>/<file> (every regular file in every non-hidden sub-folder, as
 * dsprep shard's data/<class>/ layout), then THREADS threads decode the files: thread t takes
 * files t, t + THREADS, t + 2*THREADS, ... Each file is read into memory and decoded with
 * TurboJPEG straight to gray (TJPF_GRAY) at the smallest DCT scaling factor
 * (tjGetScalingFactors) whose output is still >= SIZE in both dimensions; an image already
 * smaller than SIZE is decoded at 1/1 (never upscaled). Nothing is resized or written: this
 * is the least work any JPEG-to-96x96 pipeline must do, the floor for the real tools.
 *
 * Prints how many files decoded (and, of those, how many with a corrupt-data warning) and
 * how many failed (empty, truncated beyond repair, not a JPEG).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>

static char **paths;
static size_t path_count, path_capacity;
static int target = 96, thread_count = 2;
static tjscalingfactor *factors;
static int factor_count;

typedef struct {
    int index;
    size_t decoded, warned, failed;
    unsigned long checksum; /* keeps the decoded pixels observably used */
} worker;

static void die(const char *what) {
    fprintf(stderr, "decode_bound: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void add_path(const char *folder, const char *name) {
    if (path_count == path_capacity) {
        path_capacity = path_capacity ? 2 * path_capacity : 4096;
        paths = realloc(paths, path_capacity * sizeof *paths);
        if (!paths) die("realloc");
    }
    size_t n = strlen(folder) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p) die("malloc");
    snprintf(p, n, "%s/%s", folder, name);
    paths[path_count++] = p;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_files(const char *root) {
    DIR *top = opendir(root);
    if (!top) die(root);
    struct dirent *c;
    while ((c = readdir(top))) {
        if (c->d_name[0] == '.') continue;
        size_t n = strlen(root) + strlen(c->d_name) + 2;
        char *folder = malloc(n);
        if (!folder) die("malloc");
        snprintf(folder, n, "%s/%s", root, c->d_name);
        struct stat st;
        if (stat(folder, &st) == 0 && S_ISDIR(st.st_mode)) {
            DIR *d = opendir(folder);
            if (!d) die(folder);
            struct dirent *f;
            while ((f = readdir(d))) {
                if (f->d_name[0] == '.') continue;
                add_path(folder, f->d_name);
            }
            closedir(d);
        }
        free(folder);
    }
    closedir(top);
    qsort(paths, path_count, sizeof *paths, by_name);
}

static void *decode_files(void *arg) {
    worker *w = arg;
    tjhandle tj = tjInitDecompress();
    if (!tj) { fprintf(stderr, "decode_bound: tjInitDecompress failed\n"); exit(1); }
    unsigned char *file = NULL, *pixels = NULL;
    size_t file_capacity = 0, pixel_capacity = 0;

    for (size_t i = (size_t)w->index; i < path_count; i += (size_t)thread_count) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) { w->failed++; continue; }
        struct stat st;
        if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) { fclose(f); w->failed++; continue; }
        size_t size = (size_t)st.st_size;
        if (size > file_capacity) {
            file_capacity = size;
            file = realloc(file, file_capacity);
            if (!file) die("realloc");
        }
        size_t got = fread(file, 1, size, f);
        fclose(f);
        if (got != size) { w->failed++; continue; }

        int width, height, subsampling, colorspace;
        if (tjDecompressHeader3(tj, file, (unsigned long)size, &width, &height, &subsampling,
                                &colorspace) != 0) {
            w->failed++;
            continue;
        }
        /* The smallest factor (<= 1/1) still giving >= target on both sides; 1/1 otherwise. */
        int best_w = width, best_h = height;
        for (int k = 0; k < factor_count; k++) {
            tjscalingfactor sf = factors[k];
            if (sf.num > sf.denom) continue;
            int sw = TJSCALED(width, sf), sh = TJSCALED(height, sf);
            if (sw >= target && sh >= target && (long)sw * sh < (long)best_w * best_h) {
                best_w = sw;
                best_h = sh;
            }
        }
        size_t need = (size_t)best_w * (size_t)best_h;
        if (need > pixel_capacity) {
            pixel_capacity = need;
            pixels = realloc(pixels, pixel_capacity);
            if (!pixels) die("realloc");
        }
        if (tjDecompress2(tj, file, (unsigned long)size, pixels, best_w, 0, best_h, TJPF_GRAY,
                          0) != 0) {
            if (tjGetErrorCode(tj) == TJERR_WARNING) {
                w->warned++; /* corrupt data, but pixels came out: counted as decoded */
            } else {
                w->failed++;
                continue;
            }
        }
        w->decoded++;
        w->checksum += pixels[need / 2];
    }
    free(file);
    free(pixels);
    tjDestroy(tj);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: decode_bound DATA [SIZE] [THREADS]\n");
        return 2;
    }
    if (argc > 2) target = atoi(argv[2]);
    if (argc > 3) thread_count = atoi(argv[3]);
    if (target < 1 || thread_count < 1) {
        fprintf(stderr, "decode_bound: SIZE and THREADS must be positive\n");
        return 2;
    }
    factors = tjGetScalingFactors(&factor_count);
    if (!factors) { fprintf(stderr, "decode_bound: tjGetScalingFactors failed\n"); return 1; }
    list_files(argv[1]);

    pthread_t *threads = calloc((size_t)thread_count, sizeof *threads);
    worker *workers = calloc((size_t)thread_count, sizeof *workers);
    if (!threads || !workers) die("calloc");
    for (int t = 0; t < thread_count; t++) {
        workers[t].index = t;
        if (pthread_create(&threads[t], NULL, decode_files, &workers[t]) != 0) die("pthread_create");
    }
    size_t decoded = 0, warned = 0, failed = 0;
    unsigned long checksum = 0;
    for (int t = 0; t < thread_count; t++) {
        pthread_join(threads[t], NULL);
        decoded += workers[t].decoded;
        warned += workers[t].warned;
        failed += workers[t].failed;
        checksum += workers[t].checksum;
    }
    printf("%zu decoded (%zu with corrupt-data warnings), %zu failed, of %zu files (checksum %lu)\n",
           decoded, warned, failed, path_count, checksum);
    return 0;
}
