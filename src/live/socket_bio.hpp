// A BIO over a connected non-blocking socket, for OpenSSL to read and write the TLS records
// of a probe: OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when the
// server has reset the connection; this one sends with MSG_NOSIGNAL, so that a server cannot
// kill the program whatever the process does with SIGPIPE.
#pragma once

#include <openssl/bio.h>

namespace tlsrpt::live {

// A BIO for `fd`, which stays the caller's to close; nullptr when OpenSSL has no memory.
BIO* new_socket_bio(int fd);

}  // namespace tlsrpt::live
