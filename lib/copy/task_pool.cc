#include "copy/task_pool.h"

#include <algorithm>

namespace mk::copy {

TaskPool::TaskPool(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
}

TaskPool::~TaskPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void TaskPool::RunAll(std::vector<std::function<void()>> tasks) {
  if (tasks.empty()) return;
  Batch batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    batch.left = tasks.size();
    for (auto& t : tasks) queue_.push_back({std::move(t), &batch});
  }
  work_cv_.notify_all();
  std::unique_lock<std::mutex> lock(mu_);
  done_cv_.wait(lock, [&] { return batch.left == 0; });
}

void TaskPool::Work() {
  for (;;) {
    Item item;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and nothing left to run
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    item.task();
    {
      std::lock_guard<std::mutex> lock(mu_);
      --item.batch->left;
    }
    done_cv_.notify_all();
  }
}

}  // namespace mk::copy
