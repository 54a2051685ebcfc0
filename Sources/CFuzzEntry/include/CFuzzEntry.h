// Nothing to import: the target only contributes the libFuzzer entry symbol (fuzz_main.c).
