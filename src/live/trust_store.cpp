#include "live/trust_store.hpp"

#include <fmt/format.h>

namespace tlsrpt::live {

Expected<TrustStore, std::string> trust_store(const std::string& ca_file) {
    TrustStore store(X509_STORE_new());
    if (!store || X509_STORE_set_default_paths(store.get()) != 1) {
        return unexpected(std::string("cannot set up the system's trust anchors"));
    }
    if (!ca_file.empty() && X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
        return unexpected(fmt::format("cannot read the certificates of '{}'", ca_file));
    }
    return store;
}

}  // namespace tlsrpt::live
