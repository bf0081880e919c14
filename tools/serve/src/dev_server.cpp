#include "hotcc/serve/dev_server.hpp"

#include "hotcc/render.hpp"
#include "hotcc/serve/page_protocol.hpp"
#include "hotcc/support.hpp"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace hotcc::serve {

namespace {

// What the outcome of a full reload keeps of a main module: not its megabytes of code.
MainModule withoutCode(const MainModule &module) {
  MainModule summary;
  summary.generation = module.generation;
  summary.slots = module.slots;
  summary.warnings = module.warnings;
  summary.hotObjectMs = module.hotObjectMs;
  summary.linkMs = module.linkMs;
  summary.totalMs = module.totalMs;
  return summary;
}

} // namespace

struct DevServer::Impl {
  DevServerOptions options;
  std::function<void(const PageEvent &)> onPageEvent;
  std::mutex eventMutex;  // one page event at a time
  std::unique_ptr<LiveBuild> build;
  std::unique_ptr<PageServer> server;
  std::string runId;  // tells this run's builds from a restarted server's

  // What pages are told: the current main module, its patch chain, the error on show.
  mutable std::mutex stateMutex;
  std::condition_variable answered;
  MainModule module;
  std::string buildId;
  std::vector<std::pair<Patch, double>> chain;  // each patch and when it was first sent
  std::optional<std::string> errorShown;         // the overlay's message while a build is broken
  std::set<PageId> livePages;                    // said hello on the current build
  std::map<unsigned, std::map<PageId, PageAnswer>> answers;  // by patch number, then page

  // The caller holds stateMutex.
  void tellLivePages(const std::string &message) {
    for (PageId page : livePages)
      server->sendText(page, message);
  }

  void event(PageEvent e) {
    std::lock_guard lock(eventMutex);
    if (onPageEvent)
      onPageEvent(e);
  }

  // ---- the main module and its page ----

  Result<std::string> shellText() const {
    std::string path = options.shellPage.empty()
                           ? std::string(HOTCC_WASM_RUNTIME_DIR) + "/hotcc_shell.html"
                           : options.shellPage;
    auto text = readWholeFile(path);
    if (!text)
      return failure::FileUnreadable{path, "cannot read the shell page"};
    return *text;
  }

  // Serves `built` as the current build (the caller holds stateMutex).
  Status publish(MainModule built) {
    auto shell = shellText();
    if (!shell)
      return Status::fail(shell.failure());
    std::string id = runId + "-" + std::to_string(built.generation);
    server->publish("/", pageDocument(*shell, id), "text/html; charset=utf-8");
    server->publish("/build-" + id + "/app.js", built.javascript, "text/javascript");
    server->publish("/build-" + id + "/app.wasm", built.wasm, "application/wasm");
    module = std::move(built);
    buildId = id;
    chain.clear();
    answers.clear();
    return Status::ok();
  }

  Status publishClient() {
    std::string path = std::string(HOTCC_WASM_RUNTIME_DIR) + "/hotcc_client.js";
    auto client = readWholeFile(path);
    if (!client)
      return Status::fail(failure::FileUnreadable{path, "cannot read hotcc's page client"});
    server->publish("/hotcc/client.js", *client, "text/javascript");
    server->publish("/favicon.ico", "", "image/x-icon");  // browsers ask; an empty answer is quiet
    return Status::ok();
  }

  // ---- pages ----

  void onMessage(PageId page, std::string_view text) {
    auto message = parsePageMessage(text);
    if (!message) {
      spdlog::debug("page {} sent something that is not hotcc's protocol; closing it", page);
      server->close(page);
      return;
    }
    std::visit([&](auto &m) { handle(page, m); }, *message);
  }

  void handle(PageId page, const page_message::Hello &hello) {
    unsigned sent = 0;
    std::size_t pages = 0;
    {
      std::lock_guard lock(stateMutex);
      if (hello.build != buildId) {
        server->sendText(page, reloadMessage("the page is from an earlier build of the program"));
        return;
      }
      for (unsigned seq = hello.applied + 1; seq <= chain.size(); ++seq, ++sent)
        server->sendBinary(page, patchFrame(seq, chain[seq - 1].first, epochMs()));
      if (errorShown)
        server->sendText(page, *errorShown);
      livePages.insert(page);
      pages = livePages.size();
    }
    event({PageJoined{page, pages, sent}});
  }

  void handle(PageId page, const page_message::Applied &applied) {
    std::lock_guard lock(stateMutex);
    if (applied.seq == 0 || applied.seq > chain.size())
      return;
    PageAnswer answer{page, true, "", applied.receivedAt - chain[applied.seq - 1].second,
                      applied.applyMs};
    answers[applied.seq].emplace(page, answer);
    answered.notify_all();
  }

  void handle(PageId page, const page_message::Rejected &rejected) {
    std::lock_guard lock(stateMutex);
    answers[rejected.seq][page] = PageAnswer{page, false, rejected.reason, 0, 0};
    answered.notify_all();
  }

  void handle(PageId page, const page_message::ProgramFailed &failed) {
    event({PageProgramFailed{page, failed.message, failed.running}});
  }

  void onLeft(PageId page) {
    std::size_t pages;
    {
      std::lock_guard lock(stateMutex);
      livePages.erase(page);
      pages = livePages.size();
      answered.notify_all();
    }
    event({PageLeft{page, pages}});
  }

  // ---- saves ----

  // Sends patch `number` to every live page and waits for their answers (or the timeout).
  PatchPushed push(Patch patch, std::chrono::steady_clock::time_point savedAt) {
    PatchPushed pushed;
    pushed.buildMs = msSince(savedAt);
    std::unique_lock lock(stateMutex);
    double sentAt = epochMs();
    chain.emplace_back(patch, sentAt);
    pushed.number = static_cast<unsigned>(chain.size());
    std::set<PageId> sentTo;
    std::string frame = patchFrame(pushed.number, patch, sentAt);
    for (PageId page : livePages)
      if (server->sendBinary(page, frame))
        sentTo.insert(page);
    errorShown.reset();  // a page clears its overlay on any patch
    pushed.pagesSent = sentTo.size();
    answered.wait_for(lock, options.ackTimeout, [&] {
      auto &got = answers[pushed.number];
      for (PageId page : sentTo)
        if (!got.count(page) && livePages.count(page))
          return false;
      return true;
    });
    for (auto &[page, answer] : answers[pushed.number])
      if (sentTo.count(page))
        pushed.answers.push_back(answer);
    pushed.savedToAppliedMs = msSince(savedAt);
    pushed.patch = std::move(patch);
    pushed.patch.bytes.clear();  // the chain keeps them; the outcome need not
    return pushed;
  }

  SaveOutcome failed(Failure failure) {
    std::lock_guard lock(stateMutex);
    errorShown = errorMessage(failure, static_cast<unsigned>(chain.size()));
    tellLivePages(*errorShown);
    return BuildFailed{std::move(failure), static_cast<unsigned>(chain.size()), livePages.size()};
  }

  std::string reloadReason(const FullReload &reload) {
    if (reload.failure)
      return render::failure(*reload.failure) + "hotcc rebuilt the main module; the page reloads "
                                                 "and its state is lost";
    return "the page refused patch " + std::to_string(reload.refusedPatch) + " (" +
           reload.refusal->reason + "); hotcc rebuilt the main module and the page reloads";
  }

  // A change no patch carries: a new main module, and every page reloads onto it.
  SaveOutcome reloadAll(FullReload reload) {
    auto built = build->buildMainModule();
    if (!built)
      return failed(built.failure());
    std::lock_guard lock(stateMutex);
    if (auto published = publish(*built); !published) {
      errorShown = errorMessage(published.failure(), 0);
      return BuildFailed{published.failure(), 0, livePages.size()};
    }
    errorShown.reset();
    reload.module = withoutCode(module);
    tellLivePages(reloadMessage(reloadReason(reload)));
    reload.pagesReloaded = livePages.size();
    livePages.clear();  // they come back with a hello on the new build
    return reload;
  }

  // The shell page was saved: the page document is made again, and the open pages reload.
  SaveOutcome reloadShell() {
    std::lock_guard lock(stateMutex);
    auto shell = shellText();
    if (!shell)
      return BuildFailed{shell.failure(), static_cast<unsigned>(chain.size()), livePages.size()};
    server->publish("/", pageDocument(*shell, buildId), "text/html; charset=utf-8");
    tellLivePages(reloadMessage("the shell page " + options.shellPage + " changed"));
    ShellReloaded reloaded{livePages.size()};
    livePages.clear();  // they come back with a hello, and get the patch chain again
    return reloaded;
  }

  SaveOutcome rebuild(std::chrono::steady_clock::time_point savedAt,
                      const std::set<std::string> &changed) {
    if (!options.shellPage.empty() && changed.count(options.shellPage)) {
      auto reloaded = reloadShell();
      if (changed.size() == 1 || !std::holds_alternative<ShellReloaded>(reloaded))
        return reloaded;
    }
    return rebuild(savedAt);
  }

  SaveOutcome rebuild(std::chrono::steady_clock::time_point savedAt) {
    auto patch = build->buildPatch();
    if (!patch) {
      // The wasm backend words every change a patch cannot carry (signature, layout, EM_ASM) so.
      if (std::holds_alternative<failure::PatchCannotApply>(patch.failure()))
        return reloadAll(FullReload{patch.failure(), std::nullopt, 0, {}, 0});
      return failed(patch.failure());
    }
    if (patch->bytes.empty()) {
      std::lock_guard lock(stateMutex);
      bool cleared = errorShown.has_value();
      if (cleared)
        tellLivePages(okMessage());
      errorShown.reset();
      return NothingChanged{cleared};
    }
    auto pushed = push(std::move(*patch), savedAt);
    for (auto &answer : pushed.answers)
      if (!answer.applied)
        return reloadAll(FullReload{std::nullopt, answer, pushed.number, {}, 0});
    return pushed;
  }
};

Result<std::unique_ptr<DevServer>> DevServer::start(DevServerOptions options,
                                                     std::function<void(const PageEvent &)> onPageEvent) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->onPageEvent = std::move(onPageEvent);
  impl->runId = randomToken().substr(0, 8);
  auto build = LiveBuild::create(impl->options.build);
  if (!build)
    return build.failure();
  impl->build = std::move(*build);
  auto built = impl->build->buildMainModule();
  if (!built)
    return built.failure();

  Impl *self = impl.get();
  PageServer::Handlers handlers;
  handlers.message = [self](PageId page, std::string_view text) { self->onMessage(page, text); };
  handlers.left = [self](PageId page) { self->onLeft(page); };
  handlers.refused = [self](const RefusedRequest &refused) { self->event({refused}); };
  auto orRandom = [](const std::string &given) { return given.empty() ? randomToken() : given; };
  Credentials credentials{orRandom(impl->options.token), orRandom(impl->options.sessionSecret)};
  auto server = PageServer::start(impl->options.address, credentials, std::move(handlers));
  if (!server)
    return server.failure();
  impl->server = std::move(*server);
  if (!impl->options.shellPage.empty())
    impl->server->setStaticRoot(std::filesystem::path(impl->options.shellPage).parent_path());
  if (auto client = impl->publishClient(); !client)
    return client.failure();
  std::lock_guard lock(impl->stateMutex);
  if (auto published = impl->publish(std::move(*built)); !published)
    return published.failure();
  return std::unique_ptr<DevServer>(new DevServer(std::move(impl)));
}

DevServer::DevServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DevServer::~DevServer() {
  if (impl_)
    impl_->server.reset();  // stop serving before the state goes
}

const MainModule &DevServer::mainModule() const { return impl_->module; }
std::string DevServer::pageUrl() const { return impl_->server->pageUrl(); }
ServedAddress DevServer::address() const { return impl_->server->address(); }

std::vector<std::string> DevServer::watchedFiles() const {
  auto files = impl_->build->dependencies();
  if (!impl_->options.shellPage.empty())
    files.push_back(impl_->options.shellPage);
  return files;
}

SaveOutcome DevServer::rebuild(std::chrono::steady_clock::time_point savedAt,
                               const std::set<std::string> &changed) {
  return impl_->rebuild(savedAt, changed);
}

} // namespace hotcc::serve
