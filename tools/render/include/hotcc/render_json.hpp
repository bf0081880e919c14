// For commands that add events of their own (a test case, a patch) to the JSON stream: the same
// header and the same one-line form as the renderer's events.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

namespace hotcc::render {

// Ordered: "schema" and "event" lead every line, subjects follow in the order they are added.
using Json = nlohmann::ordered_json;

// {"schema":1,"event":event}; add the event's fields to it.
Json jsonEvent(const char *event);
// The event as one line of the stream (no newline; invalid UTF-8 replaced).
std::string jsonLine(const Json &event);

} // namespace hotcc::render
