#ifndef POOLER_CHDF5_SHIM_H
#define POOLER_CHDF5_SHIM_H
#include <hdf5/serial/hdf5.h>

// HDF5's type and property-list identifiers are macros that expand to H5open()
// calls plus a global; Swift cannot import them, so expose each as a function.
static inline hid_t pooler_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t pooler_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t pooler_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t pooler_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t pooler_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t pooler_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t pooler_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t pooler_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t pooler_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t pooler_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t pooler_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t pooler_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t pooler_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t pooler_H5T_VARIABLE(void) { return H5T_VARIABLE; }
static inline hid_t pooler_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t pooler_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t pooler_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t pooler_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline unsigned pooler_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned pooler_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned pooler_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline hsize_t pooler_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline hid_t pooler_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t pooler_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t pooler_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline unsigned pooler_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned pooler_H5F_OBJ_ALL(void) { return H5F_OBJ_ALL; }
static inline H5F_libver_t pooler_H5F_LIBVER_LATEST(void) { return H5F_LIBVER_LATEST; }
#endif
