#include "live/peer_certificate.hpp"

#include <algorithm>
#include <ctime>
#include <memory>

namespace tlsrpt::live {
namespace {

constexpr std::size_t max_name_octets = 1024;
constexpr std::size_t max_dns_names = 100;
// A DNS name has at most 253 octets; a longer entry is cut, not trusted to be one.
constexpr std::size_t max_dns_name_octets = 255;

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct StoreContextFree {
    void operator()(X509_STORE_CTX* context) const { X509_STORE_CTX_free(context); }
};
struct GeneralNamesFree {
    void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

std::string one_line(const X509_NAME* name) {
    const std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
    if (out == nullptr || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    if (size <= 0) return {};
    return std::string(data, std::min(static_cast<std::size_t>(size), max_name_octets));
}

std::vector<std::string> dns_names(X509* certificate) {
    std::vector<std::string> found;
    const std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
    if (names == nullptr) return found;
    const int count = sk_GENERAL_NAME_num(names.get());
    for (int i = 0; i < count && found.size() < max_dns_names; ++i) {
        const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
        if (name->type != GEN_DNS) continue;
        const ASN1_IA5STRING* text = name->d.dNSName;
        const auto length = static_cast<std::size_t>(std::max(ASN1_STRING_length(text), 0));
        found.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                           std::min(length, max_dns_name_octets));
    }
    return found;
}

// ASN1_TIME_to_posix is not in OpenSSL 3.0.
std::int64_t unix_seconds(const ASN1_TIME* time) {
    std::tm fields{};
    if (time == nullptr || ASN1_TIME_to_tm(time, &fields) != 1) return 0;
    return static_cast<std::int64_t>(timegm(&fields));
}

void record(std::vector<VerifyError>& errors, X509_STORE_CTX* context) {
    const VerifyError error{X509_STORE_CTX_get_error(context),
                            X509_STORE_CTX_get_error_depth(context)};
    if (errors.size() < max_verify_errors &&
        std::find(errors.begin(), errors.end(), error) == errors.end()) {
        errors.push_back(error);
    }
}

int record_error(int preverified, X509_STORE_CTX* context) {
    if (preverified == 0) {
        record(*static_cast<std::vector<VerifyError>*>(X509_STORE_CTX_get_app_data(context)),
               context);
    }
    return 1;
}

}  // namespace

CertificateFacts certificate_facts(X509* certificate) {
    CertificateFacts facts;
    facts.subject = one_line(X509_get_subject_name(certificate));
    facts.issuer = one_line(X509_get_issuer_name(certificate));
    facts.dns_names = dns_names(certificate);
    facts.not_after = unix_seconds(X509_get0_notAfter(certificate));
    return facts;
}

int record_handshake_error(int preverified, X509_STORE_CTX* context) {
    if (preverified == 0) {
        const auto* connection = static_cast<const SSL*>(
            X509_STORE_CTX_get_ex_data(context, SSL_get_ex_data_X509_STORE_CTX_idx()));
        record(*static_cast<std::vector<VerifyError>*>(SSL_get_app_data(connection)), context);
    }
    return 1;
}

std::vector<VerifyError> verify_for_host(X509_STORE* store, X509* leaf, STACK_OF(X509) * chain,
                                         const std::string& host) {
    std::vector<VerifyError> errors;
    const std::unique_ptr<X509_STORE_CTX, StoreContextFree> context(X509_STORE_CTX_new());
    if (context == nullptr || X509_STORE_CTX_init(context.get(), store, leaf, chain) != 1) {
        return {VerifyError{X509_V_ERR_OUT_OF_MEM, 0}};
    }
    // The settings of a TLS client verifying a server, as the handshake has them.
    X509_STORE_CTX_set_default(context.get(), "ssl_server");
    X509_VERIFY_PARAM* settings = X509_STORE_CTX_get0_param(context.get());
    X509_VERIFY_PARAM_set1_host(settings, host.data(), host.size());
    X509_VERIFY_PARAM_set_hostflags(settings, pkix_host_flags);
    X509_STORE_CTX_set_app_data(context.get(), &errors);
    X509_STORE_CTX_set_verify_cb(context.get(), record_error);
    // A verification that failed without telling the callback (an internal error) must not
    // pass for a clean one.
    if (X509_verify_cert(context.get()) != 1 && errors.empty()) {
        const int code = X509_STORE_CTX_get_error(context.get());
        errors.push_back(VerifyError{code != X509_V_OK ? code : X509_V_ERR_UNSPECIFIED, 0});
    }
    return errors;
}

}  // namespace tlsrpt::live
