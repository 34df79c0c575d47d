// The run's trust anchors: the system's, plus the certificates of --ca-file.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "live/trust_store.hpp"
#include "temp_file.hpp"

using namespace tlsrpt::live;
using tlsrpt::testing::TempFile;

namespace {

// The certificates loaded into the store (the system's hashed directory is read on demand).
std::size_t certificates(X509_STORE* store) {
    std::size_t count = 0;
    STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
        if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509) ++count;
    }
    return count;
}

// A self-signed CA certificate in PEM, made for the test.
std::string self_signed_pem() {
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), X509_free);
    REQUIRE(key);
    REQUIRE(certificate);
    X509* made = certificate.get();
    X509_set_version(made, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(made), 1);
    X509_gmtime_adj(X509_getm_notBefore(made), 0);
    X509_gmtime_adj(X509_getm_notAfter(made), 3600);
    X509_NAME* name = X509_get_subject_name(made);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("trust store test CA"), -1,
                               -1, 0);
    X509_set_issuer_name(made, name);
    X509_set_pubkey(made, key.get());
    REQUIRE(X509_sign(made, key.get(), EVP_sha256()) > 0);
    const std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
    REQUIRE(PEM_write_bio_X509(out.get(), made) == 1);
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TEST_CASE("trust anchors: a file that cannot be read is refused, saying which") {
    const auto missing = trust_store("/nonexistent/ca.pem");
    REQUIRE_FALSE(missing);
    CHECK(missing.error() == "cannot read the certificates of '/nonexistent/ca.pem'");
    const TempFile not_pem("not a certificate\n");
    const auto garbage = trust_store(not_pem.path());
    REQUIRE_FALSE(garbage);
    CHECK(garbage.error() == "cannot read the certificates of '" + not_pem.path() + "'");
}

TEST_CASE("trust anchors: the system's, and a file's certificates beside them") {
    const auto system = trust_store("");
    REQUIRE(system);
    const TempFile ca_file(self_signed_pem());
    const auto with_file = trust_store(ca_file.path());
    REQUIRE(with_file);
    CHECK(certificates(with_file->get()) == certificates(system->get()) + 1);
}
