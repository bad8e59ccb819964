// Sidecar metrics in the Prometheus text exposition format 0.0.4 (docs/sidecar.md /metrics).
//
// Why fixed arrays of atomics: the hot path (one decision) only does relaxed fetch_adds into
// preallocated counters, indexed by outcome and by a fixed table of the ECR actions the route
// table can produce (anything else counts under "other"); no lock, no allocation, no map lookup
// by string. Render() is the cold path and allocates freely.
//
// Thread safety: every method may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace registry_frontend::sidecar {

enum class MetricOutcome { kAllow = 0, kDeny = 1, kError = 2 };

class Metrics {
 public:
  static constexpr std::array<std::string_view, 11> kActions = {"ecr:BatchGetImage",
                                                                "ecr:GetDownloadUrlForLayer",
                                                                "ecr:BatchCheckLayerAvailability",
                                                                "ecr:InitiateLayerUpload",
                                                                "ecr:UploadLayerPart",
                                                                "ecr:CompleteLayerUpload",
                                                                "ecr:PutImage",
                                                                "ecr:BatchDeleteImage",
                                                                "ecr:ListImages",
                                                                "ecr:DescribeRepositories",
                                                                "other"};
  // Upper bounds in seconds (le); +Inf is implicit.
  static constexpr std::array<double, 14> kBuckets = {0.00001, 0.000025, 0.00005, 0.0001, 0.00025,
                                                      0.0005,  0.001,    0.0025,  0.005,  0.01,
                                                      0.025,   0.05,     0.1,     1.0};

  // One engine decision on `action`.
  void CountDecision(MetricOutcome outcome, std::string_view action);
  // The time one check took to decide (all its decisions), in nanoseconds.
  void ObserveLatency(uint64_t nanoseconds);
  void CountAuthFailure() { auth_failures_.fetch_add(1, std::memory_order_relaxed); }
  void CountBadRequest() { bad_requests_.fetch_add(1, std::memory_order_relaxed); }
  void CountReload(bool ok) { (ok ? reload_ok_ : reload_error_).fetch_add(1); }
  // A reload whose configuration text was byte for byte the serving one: not recompiled.
  void CountReloadUnchanged() { reload_unchanged_.fetch_add(1); }
  // A reload whose idle-priority compile missed its budget and was compiled inline.
  void CountReloadFallback() { reload_fallbacks_.fetch_add(1); }
  void SetSnapshot(uint64_t statements, uint64_t bytes) {
    statements_.store(statements, std::memory_order_relaxed);
    bytes_.store(bytes, std::memory_order_relaxed);
  }

  uint64_t decisions(MetricOutcome outcome, std::string_view action) const;
  uint64_t reloads(bool ok) const { return (ok ? reload_ok_ : reload_error_).load(); }
  uint64_t reload_fallbacks() const { return reload_fallbacks_.load(); }
  uint64_t reloads_unchanged() const { return reload_unchanged_.load(); }
  uint64_t latency_count() const { return count_.load(); }

  // The exposition text. `extra` lines (already formatted, e.g. audit drops) are appended.
  std::string Render(std::string_view extra = {}) const;

 private:
  static size_t ActionIndex(std::string_view action);

  std::array<std::array<std::atomic<uint64_t>, kActions.size()>, 3> decisions_{};
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets_{};  // last: +Inf only
  std::atomic<uint64_t> sum_ns_{0}, count_{0};
  std::atomic<uint64_t> auth_failures_{0}, bad_requests_{0};
  std::atomic<uint64_t> reload_ok_{0}, reload_error_{0}, reload_fallbacks_{0}, reload_unchanged_{0};
  std::atomic<uint64_t> statements_{0}, bytes_{0};
};

}  // namespace registry_frontend::sidecar
