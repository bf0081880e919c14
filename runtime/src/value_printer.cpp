// The non-template half of the REPL's value printer (see hotcc/repl/value_printer.hpp): compiled
// once into the host, called by every cell that prints a number, a pointer or a string.
#include "hotcc/repl/value_printer.hpp"

namespace hotcc_repl {

namespace {
void set(Sink *sink, std::string text) {
  sink->text = std::move(text);
  sink->captured = true;
}
} // namespace

void putBool(Sink *sink, bool value) {
  set(sink, value ? "true" : "false");
}

void putChar(Sink *sink, char value) {
  std::string out = "'";
  if (static_cast<unsigned char>(value) >= 0x80) {
    // Half of a UTF-8 sequence or a byte of data: show the byte, not a broken glyph.
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(value));
    out += buf;
  } else {
    detail::quoteChar(out, value, '\'');
  }
  set(sink, out + "'");
}

void putSigned(Sink *sink, long long value) {
  set(sink, std::to_string(value));
}

void putUnsigned(Sink *sink, unsigned long long value) {
  set(sink, std::to_string(value));
}

void putFloat(Sink *sink, float value) {
  set(sink, detail::floating(value, "f"));
}

void putDouble(Sink *sink, double value) {
  set(sink, detail::floating(value, ""));
}

void putLongDouble(Sink *sink, long double value) {
  set(sink, detail::floating(value, "L"));
}

void putCString(Sink *sink, const char *value) {
  set(sink, value ? detail::quoted(value) : "nullptr");
}

void putString(Sink *sink, const char *data, std::size_t size) {
  set(sink, detail::quoted(std::string_view(data, size)));
}

void putPointer(Sink *sink, const volatile void *value) {
  set(sink, detail::address(value));
}

void putObject(Sink *sink, const volatile void *address) {
  set(sink, "@" + detail::address(address));
  sink->byAddress = true;
}

} // namespace hotcc_repl
