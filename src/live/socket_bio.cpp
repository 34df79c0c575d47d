#include "live/socket_bio.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace tlsrpt::live {
namespace {

int fd_of(BIO* bio) {
    return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio)));
}

bool would_block() {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

int read_socket(BIO* bio, char* into, int size) {
    BIO_clear_retry_flags(bio);
    const ssize_t got = recv(fd_of(bio), into, static_cast<std::size_t>(size), 0);
    if (got < 0 && would_block()) BIO_set_retry_read(bio);
    return static_cast<int>(got);
}

int write_socket(BIO* bio, const char* from, int size) {
    BIO_clear_retry_flags(bio);
    const ssize_t sent = send(fd_of(bio), from, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    if (sent < 0 && would_block()) BIO_set_retry_write(bio);
    return static_cast<int>(sent);
}

long control(BIO*, int command, long, void*) {
    // Writes go straight to the socket: nothing to flush. OpenSSL asks other questions
    // (kernel TLS, datagram settings) that a plain socket answers with 0.
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
}

const BIO_METHOD* socket_method() {
    // Made once and kept for the life of the process, as OpenSSL keeps its own methods.
    static BIO_METHOD* const method = [] {
        BIO_METHOD* made =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "socket without SIGPIPE");
        if (made != nullptr) {
            BIO_meth_set_read(made, read_socket);
            BIO_meth_set_write(made, write_socket);
            BIO_meth_set_ctrl(made, control);
            BIO_meth_set_create(made, create);
        }
        return made;
    }();
    return method;
}

}  // namespace

BIO* new_socket_bio(int fd) {
    const BIO_METHOD* method = socket_method();
    if (method == nullptr) return nullptr;
    BIO* bio = BIO_new(method);
    if (bio != nullptr) BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
    return bio;
}

}  // namespace tlsrpt::live
