/*
 * A stand-in for NVIDIA's libnvidia-ml.so.1 with NVML's C ABI: two fake GPUs with fixed readings, so the
 * hostmetrics receiver's real dlopen path and its mapping of NVML values (percent, bytes, milliwatts) are
 * tested without a GPU. Built by the tests with `cc -shared -fPIC`.
 *
 *   -DFAKE_NVML_INIT_FAILS   nvmlInit_v2 answers NVML_ERROR_DRIVER_NOT_LOADED, as on a machine whose
 *                            library is installed but whose kernel driver is not loaded.
 *
 * Device 1 answers NVML_ERROR_NOT_SUPPORTED for temperature, as some boards do, so a missing reading is
 * tested too. Readings move with every utilization query so a dashboard sees a live series.
 */
#include <stdio.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } nvmlMemory_t;

enum {
    NVML_SUCCESS = 0,
    NVML_ERROR_UNINITIALIZED = 1,
    NVML_ERROR_INVALID_ARGUMENT = 2,
    NVML_ERROR_NOT_SUPPORTED = 3,
    NVML_ERROR_DRIVER_NOT_LOADED = 9,
};

struct nvmlDevice_st { int index; };
static struct nvmlDevice_st devices[2] = {{0}, {1}};
static int initialized = 0;
static unsigned int queries = 0;

nvmlReturn_t nvmlInit_v2(void) {
#ifdef FAKE_NVML_INIT_FAILS
    return NVML_ERROR_DRIVER_NOT_LOADED;
#else
    initialized = 1;
    return NVML_SUCCESS;
#endif
}

nvmlReturn_t nvmlShutdown(void) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    initialized = 0;
    return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
    }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    snprintf(version, length, "%s", "999.99-fake");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    *count = 2;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
    if (!initialized) return NVML_ERROR_UNINITIALIZED;
    if (index > 1 || device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &devices[index];
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
    snprintf(name, length, "Fake GPU %d", device->index);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
    snprintf(uuid, length, "GPU-00000000-0000-0000-0000-00000000000%d", device->index);
    return NVML_SUCCESS;
}

/* Device 0: 37% then 38%, 39%, ... (wrapping below 100); device 1: always 91%. */
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
    if (device->index == 0) {
        utilization->gpu = 37 + (queries++ % 50);
        utilization->memory = 20;
    } else {
        utilization->gpu = 91;
        utilization->memory = 60;
    }
    return NVML_SUCCESS;
}

/* Device 0: 10 GiB used of 80 GiB; device 1: 76 GiB used of 80 GiB (95%). */
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
    const unsigned long long gib = 1024ULL * 1024ULL * 1024ULL;
    memory->total = 80 * gib;
    memory->used = (device->index == 0 ? 10 : 76) * gib;
    memory->free = memory->total - memory->used;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int *temperature) {
    if (sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
    if (device->index == 1) return NVML_ERROR_NOT_SUPPORTED;
    *temperature = 61;
    return NVML_SUCCESS;
}

/* Milliwatts, as NVML reports them. */
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
    *power = device->index == 0 ? 250500 : 650000;
    return NVML_SUCCESS;
}
