// A fault injector for the integration tests, preloaded into the program under test
// (LD_PRELOAD=alloc_fault.so): operator new throws std::bad_alloc for any request of 64 KiB or
// more made off the main thread, as when memory runs out while rows are formatted on the
// writing thread. Every other request goes to the operator new the program would have used.
#include <dlfcn.h>
#include <unistd.h>

#include <cstddef>
#include <new>

namespace {

constexpr std::size_t failing_size = 64 * 1024;

using OperatorNew = void* (*)(std::size_t);

OperatorNew next_operator_new() {
    static const auto next = reinterpret_cast<OperatorNew>(dlsym(RTLD_NEXT, "_Znwm"));
    return next;
}

}  // namespace

void* operator new(std::size_t size) {
    if (size >= failing_size && gettid() != getpid()) throw std::bad_alloc();
    return next_operator_new()(size);
}
