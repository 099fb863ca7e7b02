#include <png.h>

// PNG_IMAGE_SIZE and friends are macros that Swift does not import.
static inline size_t dsprep_png_image_row_stride(const png_image *image) {
    return PNG_IMAGE_ROW_STRIDE(*image);
}
static inline size_t dsprep_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}
