#include "store/postgres/pg_async_pool.h"

#include <algorithm>

namespace preheat::store {

using runtime::Task;

void PgAsyncPool::Lease::end() noexcept {
  // Connection first, slot second: the next waiter finds the connection idle.
  if (pool_ != nullptr && conn_) pool_->give_back(std::move(conn_));
  conn_.reset();
  permit_.release();
}

PgAsyncPool::Lease& PgAsyncPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    end();
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    permit_ = std::move(other.permit_);
  }
  return *this;
}

PgAsyncPool::PgAsyncPool(const runtime::asio::any_io_executor& executor, PgAsyncPoolOptions options)
    : executor_(executor), options_(std::move(options)), slots_(executor, std::max<std::size_t>(1, options_.connections)) {}

void PgAsyncPool::give_back(std::unique_ptr<PgAsyncConnection> conn) {
  if (closed_ || conn->broken()) return;  // dropped: closes it; its slot opens a new one
  idle_.push_back(std::move(conn));
}

void PgAsyncPool::close() {
  closed_ = true;
  idle_.clear();
}

Task<Result<PgAsyncPool::Lease>> PgAsyncPool::acquire() {
  if (closed_) co_return Status::io_error("PostgreSQL pool is closed");
  runtime::Semaphore::Permit permit = slots_.try_acquire();
  if (!permit.held()) {
    if (slots_.waiting() >= options_.max_waiters) {
      co_return Status::io_error("PostgreSQL pool: too many waiting for a connection (" +
                                 std::to_string(options_.max_waiters) + ")");
    }
    permit = co_await slots_.acquire();
  }
  if (closed_) co_return Status::io_error("PostgreSQL pool is closed");
  if (!idle_.empty()) {
    std::unique_ptr<PgAsyncConnection> conn = std::move(idle_.back());
    idle_.pop_back();
    co_return Lease(this, std::move(conn), std::move(permit));
  }
  Result<std::unique_ptr<PgAsyncConnection>> conn = co_await PgAsyncConnection::connect(executor_, options_.uri);
  if (!conn.ok()) co_return conn.status();
  ++opened_;
  co_return Lease(this, std::move(conn).value(), std::move(permit));
}

Task<Result<PgResult>> PgAsyncPool::query(std::string sql, std::vector<PgParam> params) {
  Result<Lease> lease = co_await acquire();
  if (!lease.ok()) co_return lease.status();
  co_return co_await (*lease)->query(std::move(sql), std::move(params));
}

}  // namespace preheat::store
