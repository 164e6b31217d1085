#include <hdf5.h>

/* Values that hdf5.h defines as macros Swift cannot import. */
static inline hid_t hepml_h5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t hepml_h5_c_s1(void) { return H5T_C_S1; }
static inline hid_t hepml_h5_default(void) { return H5P_DEFAULT; }
static inline hid_t hepml_h5_all(void) { return H5S_ALL; }
static inline hid_t hepml_h5_file_access(void) { return H5P_FILE_ACCESS; }
static inline unsigned hepml_h5_read_only(void) { return H5F_ACC_RDONLY; }
static inline size_t hepml_h5_variable(void) { return H5T_VARIABLE; }
/* Turns off the error stack HDF5 prints to stderr (errors come back as negative return values). */
static inline void hepml_h5_silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
