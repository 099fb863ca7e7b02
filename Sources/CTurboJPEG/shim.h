#include <turbojpeg.h>

// TJSCALED is a macro that Swift does not import: the scaled size of `dimension`, the integer
// form of ceil(dimension * num / denom), exactly as TurboJPEG computes its output size.
static inline int dsprep_tj_scaled(int dimension, tjscalingfactor factor) {
    return TJSCALED(dimension, factor);
}
