// Objects a test file hands Catch to own: exception translators (CATCH_TRANSLATE_EXCEPTION) and
// reporter and listener factories (CATCH_REGISTER_REPORTER, CATCH_REGISTER_LISTENER). Catch
// destroys its registries when the process exits (its LeakDetector calls Catch::cleanUp()), after
// hotcc's engine has freed the JIT'd code those objects' virtual functions live in. So test files
// reach Catch's registries through filesRegistryHub() (Catch::getMutableRegistryHub() in test files
// is bound to it), which hands Catch a forwarding object of the adapter's instead and keeps the
// file's object alive for the life of the process.
//
// Included by catch2.cpp after Catch's implementation.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace hotcc_adapter {

class ForwardingTranslator : public Catch::IExceptionTranslator {
public:
  explicit ForwardingTranslator(const Catch::IExceptionTranslator *inner) : inner_(inner) {}
  std::string translate(Catch::ExceptionTranslators::const_iterator it,
                        Catch::ExceptionTranslators::const_iterator itEnd) const override {
    return inner_->translate(it, itEnd);
  }

private:
  const Catch::IExceptionTranslator *inner_;
};

class ForwardingReporterFactory : public Catch::IReporterFactory {
public:
  explicit ForwardingReporterFactory(const Catch::IReporterFactory *inner) : inner_(inner) {}
  Catch::IStreamingReporterPtr create(Catch::ReporterConfig const &config) const override {
    return inner_->create(config);
  }
  std::string getDescription() const override { return inner_->getDescription(); }

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
  void registerReporter(std::string const &name,
                        Catch::IReporterFactoryPtr const &factory) override {
    real().registerReporter(name, std::make_shared<ForwardingReporterFactory>(keptForever(factory)));
  }
  void registerListener(Catch::IReporterFactoryPtr const &factory) override {
    real().registerListener(std::make_shared<ForwardingReporterFactory>(keptForever(factory)));
  }
  void registerTest(Catch::TestCase const &test) override { real().registerTest(test); }
  void registerTranslator(const Catch::IExceptionTranslator *translator) override {
    real().registerTranslator(new ForwardingTranslator(translator));
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
};

// What test files' Catch::getMutableRegistryHub() is bound to.
inline Catch::IMutableRegistryHub &filesRegistryHub() {
  static auto *hub = new FilesRegistryHub();
  return *hub;
}

} // namespace hotcc_adapter
