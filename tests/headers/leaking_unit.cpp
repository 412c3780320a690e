// Must not compile (test headers.leak_check_catches_simdjson): proves leak_checks.h notices a leak.
#include <simdjson.h>

#include "leak_checks.h"
