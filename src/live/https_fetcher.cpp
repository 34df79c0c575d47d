// libcurl's multi socket interface on the resolver's loop: curl names the descriptors to watch
// and the one timeout it wants (socket and timer callbacks), the loop calls
// curl_multi_socket_action when they are due, and finished transfers are read after every
// such call. Our own window bounds the transfers at once: curl's timeouts start when a handle is
// added, so a handle queued inside curl would time out while it waited.
#include "live/https_fetcher.hpp"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/epoll.h>

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "live/trust_store.hpp"

namespace tlsrpt::live {
namespace {

using namespace std::chrono_literals;

std::string connect_to(const std::string& host, std::uint16_t port, const std::string& address) {
    const bool v6 = address.find(':') != std::string::npos;
    return fmt::format("{}:{}:{}{}{}:{}", host, port, v6 ? "[" : "", address, v6 ? "]" : "", port);
}

FetchEnding ending_of(CURLcode code, bool too_large) {
    switch (code) {
        case CURLE_OK:
            return FetchEnding::received;
        case CURLE_COULDNT_CONNECT:
            return FetchEnding::connect_failed;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
            return FetchEnding::certificate;
        case CURLE_SSL_CONNECT_ERROR:
            return FetchEnding::tls_failed;
        case CURLE_OPERATION_TIMEDOUT:
            return FetchEnding::timed_out;
        case CURLE_FILESIZE_EXCEEDED:
            return FetchEnding::too_large;
        case CURLE_WRITE_ERROR:
            return too_large ? FetchEnding::too_large : FetchEnding::failed;
        default:
            return FetchEnding::failed;
    }
}

}  // namespace

struct HttpsFetcher::Impl {
    struct Transfer {
        std::uint64_t id = 0;
        FetchRequest request;
        Done done;
        std::size_t next_address = 0;
        CURL* easy = nullptr;
        curl_slist* connect_to = nullptr;
        std::string body;
        std::size_t max_body = 0;
        bool too_large = false;
        dns::Resolver::TimerId deadline_timer = 0;
        dns::Clock::time_point started;
        char error[CURL_ERROR_SIZE] = {};
    };

    dns::Resolver& loop;
    FetchOptions options;
    TrustStore store;
    CURLM* multi = nullptr;
    std::unordered_map<std::uint64_t, std::unique_ptr<Transfer>> transfers;
    std::deque<std::uint64_t> waiting;  // ids; those ended while waiting are skipped
    std::size_t active = 0;
    std::uint64_t last_id = 0;
    dns::Resolver::TimerId curl_timer = 0;

    Impl(dns::Resolver& loop, FetchOptions options, TrustStore store)
        : loop(loop), options(std::move(options)), store(std::move(store)) {}

    ~Impl() {
        abandon_all();
        if (multi != nullptr) curl_multi_cleanup(multi);
        if (curl_timer != 0) loop.cancel_timer(curl_timer);
    }

    bool start_multi() {
        multi = curl_multi_init();
        if (multi == nullptr) return false;
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
        curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
        return true;
    }

    // curl: watch `fd` for what it says, or stop watching it.
    static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
        auto* impl = static_cast<Impl*>(self);
        if (what == CURL_POLL_REMOVE) {
            impl->loop.unwatch(fd);
            return 0;
        }
        const std::uint32_t events = ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0u) |
                                     ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0u);
        impl->loop.watch(fd, events, [impl, fd](std::uint32_t ready) { impl->act(fd, ready); });
        return 0;
    }

    // curl: the one timeout it wants, or none (-1). curl must not be called from here.
    static int on_timer(CURLM*, long milliseconds, void* self) {
        auto* impl = static_cast<Impl*>(self);
        if (impl->curl_timer != 0) impl->loop.cancel_timer(impl->curl_timer);
        impl->curl_timer = 0;
        if (milliseconds >= 0) {
            impl->curl_timer = impl->loop.set_timer(
                impl->loop.now() + std::chrono::milliseconds(milliseconds), [impl] {
                    impl->curl_timer = 0;
                    impl->act(CURL_SOCKET_TIMEOUT, 0);
                });
        }
        return 0;
    }

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto* transfer = static_cast<Transfer*>(user);
        const size_t length = size * count;
        if (transfer->body.size() + length > transfer->max_body) {
            transfer->too_large = true;
            return CURL_WRITEFUNC_ERROR;
        }
        transfer->body.append(data, length);
        return length;
    }

    static CURLcode on_ssl_context(CURL*, void* context, void* self) {
        auto* impl = static_cast<Impl*>(self);
        SSL_CTX_set1_cert_store(static_cast<SSL_CTX*>(context), impl->store.get());
        return CURLE_OK;
    }

    void act(curl_socket_t fd, std::uint32_t ready) {
        int flags = 0;
        if ((ready & (EPOLLIN | EPOLLHUP)) != 0) flags |= CURL_CSELECT_IN;
        if ((ready & EPOLLOUT) != 0) flags |= CURL_CSELECT_OUT;
        if ((ready & EPOLLERR) != 0) flags |= CURL_CSELECT_ERR;
        int running = 0;
        curl_multi_socket_action(multi, fd, flags, &running);
        read_finished();
    }

    void read_finished() {
        int left = 0;
        while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
            if (message->msg != CURLMSG_DONE) continue;
            Transfer* transfer = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
            const CURLcode code = message->data.result;
            on_done(*transfer, code);
        }
    }

    void on_done(Transfer& transfer, CURLcode code) {
        FetchOutcome outcome;
        outcome.ending = ending_of(code, transfer.too_large);
        outcome.address = transfer.request.addresses[transfer.next_address - 1];
        curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &outcome.status);
        if (const char* type = nullptr;
            curl_easy_getinfo(transfer.easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
            type != nullptr) {
            outcome.media_type = type;
        }
        if (const char* location = nullptr;
            curl_easy_getinfo(transfer.easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
            location != nullptr) {
            outcome.location = location;
        }
        curl_easy_getinfo(transfer.easy, CURLINFO_SSL_VERIFYRESULT, &outcome.verify_result);
        if (outcome.ending == FetchEnding::connect_failed &&
            transfer.next_address < transfer.request.addresses.size()) {
            // The next address gets the rest of the time.
            curl_multi_remove_handle(multi, transfer.easy);
            transfer.body.clear();
            connect_next(transfer);
            return;
        }
        if (outcome.ending == FetchEnding::received) {
            outcome.body = std::move(transfer.body);
        } else {
            outcome.error = transfer.error[0] != '\0' ? transfer.error : curl_easy_strerror(code);
        }
        finish(transfer.id, std::move(outcome));
    }

    void fetch(FetchRequest request, Done done) {
        auto transfer = std::make_unique<Transfer>();
        transfer->id = ++last_id;
        transfer->request = std::move(request);
        transfer->done = std::move(done);
        transfer->max_body = options.max_body;
        const std::uint64_t id = transfer->id;
        transfer->deadline_timer = loop.set_timer(transfer->request.deadline, [this, id] {
            transfers.at(id)->deadline_timer = 0;
            FetchOutcome outcome;
            outcome.ending = FetchEnding::timed_out;
            outcome.error = "deadline reached";
            finish(id, std::move(outcome));
        });
        transfers.emplace(id, std::move(transfer));
        waiting.push_back(id);
        start_waiting();
    }

    void start_waiting() {
        while (active < options.max_concurrent && !waiting.empty()) {
            const auto found = transfers.find(waiting.front());
            waiting.pop_front();
            if (found == transfers.end()) continue;
            Transfer& transfer = *found->second;
            if (transfer.request.addresses.empty()) {
                FetchOutcome outcome;
                outcome.ending = FetchEnding::connect_failed;
                outcome.error = "no address to connect to";
                finish(transfer.id, std::move(outcome));
                continue;
            }
            transfer.easy = curl_easy_init();
            if (transfer.easy == nullptr) {
                FetchOutcome outcome;
                outcome.error = "out of memory";
                finish(transfer.id, std::move(outcome));
                continue;
            }
            ++active;
            transfer.started = dns::Clock::now();
            configure(transfer);
            connect_next(transfer);
        }
    }

    void configure(Transfer& transfer) {
        CURL* easy = transfer.easy;
        const FetchRequest& request = transfer.request;
        const std::string url =
            request.port == 443
                ? fmt::format("https://{}{}", request.host, request.path)
                : fmt::format("https://{}:{}{}", request.host, request.port, request.path);
        curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // RFC 8461 §3.3: never followed
        curl_easy_setopt(easy, CURLOPT_PROXY, "");           // proxies from the environment
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(easy, CURLOPT_USERAGENT, "tlsrpt-check");
        curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                         static_cast<curl_off_t>(options.max_body));
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Impl::on_body);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, &transfer);
        curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error);
        // Our store instead of curl's: its CA path would be searched on every connection.
        curl_easy_setopt(easy, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, &Impl::on_ssl_context);
        curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, this);
    }

    // Connects to the next address, with the time left shared among the addresses left.
    void connect_next(Transfer& transfer) {
        const std::string& address = transfer.request.addresses[transfer.next_address++];
        curl_slist_free_all(transfer.connect_to);
        transfer.connect_to = curl_slist_append(
            nullptr, connect_to(transfer.request.host, transfer.request.port, address).c_str());
        curl_easy_setopt(transfer.easy, CURLOPT_CONNECT_TO, transfer.connect_to);
        const auto left = std::max(std::chrono::ceil<std::chrono::milliseconds>(
                                       transfer.request.deadline - dns::Clock::now()),
                                   1ms);
        const auto addresses_left =
            static_cast<long>(transfer.request.addresses.size() - transfer.next_address + 1);
        curl_easy_setopt(transfer.easy, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
        curl_easy_setopt(transfer.easy, CURLOPT_CONNECTTIMEOUT_MS,
                         std::max(1L, static_cast<long>(left.count()) / addresses_left));
        curl_multi_add_handle(multi, transfer.easy);
    }

    // Completes `id`: its handle leaves curl, the window moves on, then its callback runs.
    void finish(std::uint64_t id, FetchOutcome&& outcome) {
        const auto found = transfers.find(id);
        if (found == transfers.end()) return;
        std::unique_ptr<Transfer> transfer = std::move(found->second);
        transfers.erase(found);
        if (transfer->deadline_timer != 0) loop.cancel_timer(transfer->deadline_timer);
        if (transfer->easy != nullptr) {
            outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                dns::Clock::now() - transfer->started);
            release(*transfer);
            --active;
        }
        start_waiting();
        transfer->done(std::move(outcome));
    }

    void release(Transfer& transfer) {
        curl_multi_remove_handle(multi, transfer.easy);
        curl_easy_cleanup(transfer.easy);
        curl_slist_free_all(transfer.connect_to);
        transfer.easy = nullptr;
        transfer.connect_to = nullptr;
    }

    void abandon_all() {
        for (auto& [id, transfer] : transfers) {
            if (transfer->deadline_timer != 0) loop.cancel_timer(transfer->deadline_timer);
            if (transfer->easy != nullptr) release(*transfer);
        }
        transfers.clear();
        waiting.clear();
        active = 0;
    }
};

Expected<std::unique_ptr<HttpsFetcher>, std::string> HttpsFetcher::create(dns::Resolver& loop,
                                                                          FetchOptions options,
                                                                          X509_STORE* anchors) {
    // Thread-safe in Debian's build (CURL_VERSION_THREADSAFE); once per process.
    static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (global != CURLE_OK) return unexpected(std::string(curl_easy_strerror(global)));
    X509_STORE_up_ref(anchors);
    auto impl = std::make_unique<Impl>(loop, std::move(options), TrustStore(anchors));
    if (!impl->start_multi()) return unexpected(std::string("cannot start libcurl"));
    return std::unique_ptr<HttpsFetcher>(new HttpsFetcher(std::move(impl)));
}

HttpsFetcher::HttpsFetcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpsFetcher::~HttpsFetcher() = default;

void HttpsFetcher::fetch(FetchRequest request, Done done) {
    impl_->fetch(std::move(request), std::move(done));
}

void HttpsFetcher::abandon_all() {
    impl_->abandon_all();
}

}  // namespace tlsrpt::live
