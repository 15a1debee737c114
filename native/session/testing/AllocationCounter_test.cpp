// The one counting global operator new of the test binary (see AllocationCounter.hpp). It only
// counts on the thread that switched counting on and otherwise forwards to malloc/free, so
// every other test in the binary sees a plain allocator.
#include "session/testing/AllocationCounter.hpp"

#include <cstdlib>
#include <new>

namespace rtcgate::session::testing {
thread_local bool tCountAllocations = false;
thread_local uint64_t tAllocations = 0;
}  // namespace rtcgate::session::testing

namespace {
using rtcgate::session::testing::tAllocations;
using rtcgate::session::testing::tCountAllocations;

void* countedAlloc(std::size_t n) {
  if (tCountAllocations) ++tAllocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

void* countedAllocNoThrow(std::size_t n) noexcept {
  if (tCountAllocations) ++tAllocations;
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(std::size_t n) { return countedAlloc(n); }
void* operator new[](std::size_t n) { return countedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return countedAllocNoThrow(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return countedAllocNoThrow(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
