#pragma once
// Test helper: counts global operator new calls made on the current thread while an
// AllocationCounter is alive, to prove a packet path allocates nothing (STYLE.md §2).
//
// The counting operator new/delete are defined once per test binary, in
// AllocationCounter_test.cpp beside this header (a *_test.cpp, so it never reaches the core
// library or the addon). Test files include this header and must not define their own.
#include <cstdint>

namespace rtcgate::session::testing {

// Switched by AllocationCounter; the operator new in AllocationCounter_test.cpp reads them.
extern thread_local bool tCountAllocations;
extern thread_local uint64_t tAllocations;

// Counts operator new calls on this thread while alive.
class AllocationCounter {
 public:
  AllocationCounter() {
    tAllocations = 0;
    tCountAllocations = true;
  }
  ~AllocationCounter() { tCountAllocations = false; }
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;
  uint64_t count() const { return tAllocations; }
};

}  // namespace rtcgate::session::testing
