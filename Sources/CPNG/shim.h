#include <png.h>

// PNG_IMAGE_SIZE and friends are macros that Swift does not import.
static inline size_t dsprep_png_image_row_stride(const png_image *image) {
    return PNG_IMAGE_ROW_STRIDE(*image);
}
static inline size_t dsprep_png_image_size(const png_image *image) {
    return PNG_IMAGE_SIZE(*image);
}

// The simplified API's constants, some of them macros built from other macros.
static const png_uint_32 dsprep_png_image_version = PNG_IMAGE_VERSION;
static const png_uint_32 dsprep_png_format_gray = PNG_FORMAT_GRAY;
static const png_uint_32 dsprep_png_format_ga = PNG_FORMAT_GA;
static const png_uint_32 dsprep_png_format_rgb = PNG_FORMAT_RGB;
static const png_uint_32 dsprep_png_format_rgba = PNG_FORMAT_RGBA;
static const png_uint_32 dsprep_png_image_flag_16bit_srgb = PNG_IMAGE_FLAG_16BIT_sRGB;
