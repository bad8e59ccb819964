// Reader slots (reader_slots.h).
#include "policy_engine/engine/reader_slots.h"

#include <chrono>
#include <thread>

namespace policy_engine::engine {

namespace {

struct alignas(64) Slot {
  // Owned slots: odd while the owner reads. Overflow slot: readers inside.
  std::atomic<uint64_t> sequence{0};
  std::atomic<bool> claimed{false};
};

std::array<Slot, ReadEpochs::kThreadSlots + 1> g_slots;
constexpr size_t kOverflow = ReadEpochs::kThreadSlots;

// The calling thread's claim, released when the thread exits.
struct Claim {
  size_t index = kOverflow;
  int depth = 0;  // nested pins
  Claim() {
    for (size_t i = 0; i < kOverflow; ++i) {
      bool expected = false;
      if (!g_slots[i].claimed.load(std::memory_order_relaxed) &&
          g_slots[i].claimed.compare_exchange_strong(expected, true)) {
        index = i;
        return;
      }
    }
  }
  ~Claim() {
    if (index != kOverflow) g_slots[index].claimed.store(false, std::memory_order_release);
  }
};

Claim& ThisClaim() {
  thread_local Claim claim;
  return claim;
}

// Waits a reader out: a read lasts one decision, so spin briefly, then let its thread run.
template <typename Done>
void Await(Done done) {
  for (int spins = 0; !done(); ++spins) {
    if (spins < 64) continue;
    if (spins < 128) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
}

}  // namespace

size_t ReadEpochs::ThisThread() { return ThisClaim().index; }

void ReadEpochs::Enter() {
  Claim& claim = ThisClaim();
  if (claim.depth++ == 0) g_slots[claim.index].sequence.fetch_add(1, std::memory_order_seq_cst);
}

void ReadEpochs::Exit() {
  Claim& claim = ThisClaim();
  if (--claim.depth != 0) return;
  if (claim.index == kOverflow) {
    g_slots[kOverflow].sequence.fetch_sub(1, std::memory_order_release);
  } else {
    g_slots[claim.index].sequence.fetch_add(1, std::memory_order_release);
  }
}

void ReadEpochs::WaitForReaders() {
  for (size_t i = 0; i < kOverflow; ++i) {
    const std::atomic<uint64_t>& sequence = g_slots[i].sequence;
    uint64_t seen = sequence.load(std::memory_order_seq_cst);
    if (seen % 2 == 0) continue;  // not reading
    Await([&] { return sequence.load(std::memory_order_acquire) != seen; });
  }
  const std::atomic<uint64_t>& overflow = g_slots[kOverflow].sequence;
  Await([&] { return overflow.load(std::memory_order_seq_cst) == 0; });
}

uint64_t ReaderCounters::Sum(std::atomic<uint64_t> Counters::*counter) const {
  uint64_t sum = 0;
  for (const Counters& slot : slots_) sum += (slot.*counter).load(std::memory_order_relaxed);
  return sum;
}

}  // namespace policy_engine::engine
