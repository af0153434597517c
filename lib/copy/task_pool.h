// TaskPool: a fixed set of threads that run the blob transfers of every
// image being copied, so the blobs of one image move concurrently (a release
// with one or two huge layers) while the total number of transfers at once,
// across all images, stays at the pool's size (--jobs).
//
// Callers (image workers) hand over a batch and wait; they never run a task
// themselves and never hold a pool thread while waiting, and a task never
// waits for a batch, so no image worker can starve the pool (no deadlock
// whatever the number of image workers). A task that waits on another
// transfer (BlobLedger) waits on one that is already running.
//
// Thread-safe. The destructor joins the threads; batches must be done by then.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mk::copy {

class TaskPool {
 public:
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  int size() const { return static_cast<int>(threads_.size()); }

  // Runs every task on the pool and returns when all have run.
  void RunAll(std::vector<std::function<void()>> tasks);

 private:
  struct Batch {
    size_t left = 0;
  };
  struct Item {
    std::function<void()> task;
    Batch* batch;
  };
  void Work();

  std::mutex mu_;
  std::condition_variable work_cv_;  // a task was queued, or closing
  std::condition_variable done_cv_;  // a task of some batch finished
  std::deque<Item> queue_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mk::copy
