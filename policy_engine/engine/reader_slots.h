// Reader slots: how Decide pins the serving snapshot without touching memory other request
// threads write, and how Publish knows when no decision can still be reading the old one.
//
// Why not std::atomic<std::shared_ptr>: its load is a spin lock plus reference-count updates on
// cache lines every request thread shares (bounced on every decision), and a low-priority
// reloading thread preempted inside its exchange leaves every reader spinning until it runs
// again (priority inversion; the sidecar compiles at SCHED_IDLE). Here a reader writes only its
// own thread's cache line and never waits for the writer; the writer waits for readers, each of
// which is inside at most one decision (microseconds), however busy it is.
//
// Protocol (an epoch per thread; every step sequentially consistent): each thread owns a slot
// whose sequence number is odd while it reads. A reader increments it, then loads the published
// pointer; the writer exchanges the pointer, then samples every slot and waits until each odd
// sample has moved on. Either the reader's increment comes first in the single total order (the
// writer sees the odd value and waits for the next one) or its load comes after the exchange
// (it reads the new snapshot). Nested pins on one thread touch the slot only at the outermost.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace policy_engine::engine {

// Process-wide: one slot per live thread that has read a snapshot (threads claim a free slot on
// first use and give it back when they exit). Past kThreadSlots live threads, the rest share an
// overflow slot counted in and out; a writer waits for it to be empty.
class ReadEpochs {
 public:
  static constexpr size_t kThreadSlots = 256;

  // This thread's slot index, 0..kThreadSlots (the last one is the shared overflow slot).
  static size_t ThisThread();
  static void Enter();
  static void Exit();
  // Returns once every read that had begun before the call has ended. Not from inside a read.
  static void WaitForReaders();
};

// Per engine: decision counters, one cache line per reader slot, summed when read.
class ReaderCounters {
 public:
  struct alignas(64) Counters {
    std::atomic<uint64_t> memo_hits{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<uint64_t> reference{0};
    std::atomic<uint64_t> direct{0};
  };
  Counters& Mine() { return slots_[ReadEpochs::ThisThread()]; }
  uint64_t Sum(std::atomic<uint64_t> Counters::*counter) const;

 private:
  std::array<Counters, ReadEpochs::kThreadSlots + 1> slots_{};
};

}  // namespace policy_engine::engine
