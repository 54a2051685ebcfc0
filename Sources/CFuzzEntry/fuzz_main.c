// The fuzz executable's entry under libFuzzer (scripts/fuzz builds with -DFUZZING).
//
// SwiftPM links an executable with `main` defined as an alias of `<module>_main`, so libFuzzer's own `main`
// is never pulled in; this is that symbol for `otlp-gateway-fuzz`, handing control to libFuzzer's driver
// with the Swift-side `LLVMFuzzerTestOneInput`. In a normal build the Swift `@main` corpus runner defines it.
#ifdef FUZZING
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int otlp_gateway_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
#endif
