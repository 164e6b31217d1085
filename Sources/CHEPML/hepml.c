/* The C ABI is implemented in Swift (Sources/HEPMLC); this target only carries the header. */
#include "hepml.h"
