#include "hotcc/serve/page_protocol.hpp"

#include "hotcc/render.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace hotcc::serve {

using nlohmann::json;

double epochMs() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double, std::milli>(now).count();
}

std::string patchFrame(unsigned seq, const Patch &patch, double sentAt) {
  std::string header = json{{"type", "patch"},
                            {"seq", seq},
                            {"id", patch.id},
                            {"functions", patch.functions},
                            {"sentAt", sentAt}}
                           .dump();
  std::string frame;
  auto length = static_cast<std::uint32_t>(header.size());
  for (int shift = 0; shift < 32; shift += 8)
    frame += static_cast<char>((length >> shift) & 0xff);
  frame += header;
  frame += patch.bytes;
  return frame;
}

std::string errorMessage(const Failure &failure, unsigned runningPatch) {
  json diagnostics = json::array();
  if (auto *compile = std::get_if<failure::CompileError>(&failure))
    for (auto &d : compile->diagnostics)
      diagnostics.push_back(json::parse(render::jsonDiagnostic(d)));
  return json{{"type", "error"},
              {"kind", kindName(failure)},
              {"text", render::failure(failure)},
              {"diagnostics", diagnostics},
              {"runningPatch", runningPatch}}
      .dump();
}

std::string okMessage() { return json{{"type", "ok"}}.dump(); }

std::string reloadMessage(const std::string &reason) {
  return json{{"type", "reload"}, {"reason", reason}}.dump();
}

namespace {

// A count or sequence number: a JSON number that is a non-negative integer (get<unsigned> would
// wrap -1 around).
unsigned countField(const json &message, const char *name) {
  const json &field = message.at(name);
  if (!field.is_number_unsigned())
    throw json::type_error::create(302, std::string(name) + " is not a count", &field);
  return field.get<unsigned>();
}

} // namespace

std::optional<PageMessage> parsePageMessage(std::string_view text) {
  json message = json::parse(text, nullptr, false);
  if (!message.is_object() || !message.contains("type") || !message["type"].is_string())
    return std::nullopt;
  try {
    std::string type = message["type"];
    if (type == "hello")
      return page_message::Hello{message.at("build").get<std::string>(),
                                 countField(message, "applied")};
    if (type == "applied")
      return page_message::Applied{countField(message, "seq"),
                                   message.value("receivedAt", 0.0),
                                   message.value("appliedAt", 0.0), message.value("applyMs", 0.0)};
    if (type == "rejected")
      return page_message::Rejected{countField(message, "seq"),
                                    message.value("reason", std::string("no reason given"))};
    if (type == "failure")
      return page_message::ProgramFailed{message.at("message").get<std::string>().substr(0, 4000),
                                         countField(message, "running")};
  } catch (const json::exception &) {
  }
  return std::nullopt;
}

std::string pageDocument(const std::string &shell, const std::string &buildId) {
  std::string scripts = "<script>var hotccServe = {build: " + json(buildId).dump() +
                        "};</script>\n<script src=\"/hotcc/client.js\"></script>\n"
                        "<script async src=\"/build-" + buildId + "/app.js\"></script>";
  std::string page = shell;
  constexpr std::string_view marker = "{{{ SCRIPT }}}";
  auto at = page.find(marker);
  if (at == std::string::npos)  // a shell without the marker: the scripts go before </body>
    at = page.rfind("</body>");
  if (at == std::string::npos)
    return page + scripts;
  page.replace(at, page.compare(at, marker.size(), marker) == 0 ? marker.size() : 0, scripts);
  return page;
}

} // namespace hotcc::serve
