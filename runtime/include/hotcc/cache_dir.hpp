// Where hotcc keeps what it builds once and reuses (PCHs, wasm patches, test framework libraries).
#pragma once
#include <string>

namespace hotcc {

// $XDG_CACHE_HOME/hotcc, else ~/.cache/hotcc, else a directory under /tmp.
std::string defaultCacheDir();

} // namespace hotcc
