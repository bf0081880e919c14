// Objects a test file hands Catch to own: exception translators (CATCH_TRANSLATE_EXCEPTION) and
// reporter and listener factories (CATCH_REGISTER_REPORTER, CATCH_REGISTER_LISTENER). Catch
// destroys its registries when the process exits (its LeakDetector calls Catch::cleanUp()), after
// hotcc's engine has freed the JIT'd code those objects' virtual functions live in. So test files
// reach Catch's registries through filesRegistryHub() (Catch::getMutableRegistryHub() in test files
// is bound to it), which hands Catch a forwarding object of the adapter's instead and keeps the
// file's object alive for the life of the process. When the file's session ends, its forwarders
// forward no more.
//
// Included by catch2.cpp after Catch's implementation.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hotcc_adapter {

// What every forwarder of a file's object has: the file, and a way to stop forwarding.
class Forwarder {
public:
  explicit Forwarder(std::string owner) : owner_(std::move(owner)) {}
  virtual ~Forwarder() = default;
  const std::string &owner() const { return owner_; }
  virtual void disable() = 0;

private:
  std::string owner_;
};

class ForwardingTranslator : public Catch::IExceptionTranslator, public Forwarder {
public:
  ForwardingTranslator(const Catch::IExceptionTranslator *inner, std::string owner)
      : Forwarder(std::move(owner)), inner_(inner) {}
  std::string translate(Catch::ExceptionTranslators::const_iterator it,
                        Catch::ExceptionTranslators::const_iterator itEnd) const override {
    if (inner_)
      return inner_->translate(it, itEnd);
    // Disabled: the next translator's turn, as Catch's own translators pass it on.
    if (it == itEnd)
      std::rethrow_exception(std::current_exception());
    return (*it)->translate(it + 1, itEnd);
  }
  void disable() override { inner_ = nullptr; }

private:
  const Catch::IExceptionTranslator *inner_;
};

class ForwardingReporterFactory : public Catch::IReporterFactory, public Forwarder {
public:
  ForwardingReporterFactory(const Catch::IReporterFactory *inner, std::string owner)
      : Forwarder(std::move(owner)), inner_(inner) {}
  Catch::IStreamingReporterPtr create(Catch::ReporterConfig const &config) const override {
    return inner_ ? inner_->create(config) : nullptr;
  }
  std::string getDescription() const override { return inner_ ? inner_->getDescription() : ""; }
  void disable() override { inner_ = nullptr; }

private:
  const Catch::IReporterFactory *inner_;
};

// A file's factory, never released: dropping the last reference would run its shared_ptr control
// block's code, which is JIT'd too.
inline const Catch::IReporterFactory *keptForever(Catch::IReporterFactoryPtr const &factory) {
  static auto *kept = new std::vector<Catch::IReporterFactoryPtr>();
  kept->push_back(factory);
  return factory.get();
}

class FilesRegistryHub : public Catch::IMutableRegistryHub {
public:
  // Whose code registers from now on ("" outside a file's load).
  void setLoadingFile(std::string file) { loading_ = std::move(file); }
  // `file`'s session ended: what its code registered forwards no more.
  void drop(const std::string &file) {
    for (auto *forwarder : forwarders_)
      if (forwarder->owner() == file)
        forwarder->disable();
  }

  void registerReporter(std::string const &name,
                        Catch::IReporterFactoryPtr const &factory) override {
    real().registerReporter(name, forwarding(factory));
  }
  void registerListener(Catch::IReporterFactoryPtr const &factory) override {
    real().registerListener(forwarding(factory));
  }
  void registerTest(Catch::TestCase const &test) override { real().registerTest(test); }
  void registerTranslator(const Catch::IExceptionTranslator *translator) override {
    auto *forwarder = new ForwardingTranslator(translator, loading_);
    forwarders_.push_back(forwarder);
    real().registerTranslator(forwarder);
  }
  void registerTagAlias(std::string const &alias, std::string const &tag,
                        Catch::SourceLineInfo const &lineInfo) override {
    real().registerTagAlias(alias, tag, lineInfo);
  }
  void registerStartupException() noexcept override { real().registerStartupException(); }
  Catch::IMutableEnumValuesRegistry &getMutableEnumValuesRegistry() override {
    return real().getMutableEnumValuesRegistry();
  }

private:
  static Catch::IMutableRegistryHub &real() { return Catch::getMutableRegistryHub(); }
  Catch::IReporterFactoryPtr forwarding(Catch::IReporterFactoryPtr const &factory) {
    auto forwarder = std::make_shared<ForwardingReporterFactory>(keptForever(factory), loading_);
    forwarders_.push_back(forwarder.get());
    return forwarder;
  }

  std::string loading_;
  std::vector<Forwarder *> forwarders_;  // owned by Catch's registries, which never free them early
};

inline FilesRegistryHub &filesHub() {
  static auto *hub = new FilesRegistryHub();
  return *hub;
}

// What test files' Catch::getMutableRegistryHub() is bound to.
inline Catch::IMutableRegistryHub &filesRegistryHub() { return filesHub(); }

} // namespace hotcc_adapter
