#include "store/postgres/pg_async_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <exception>
#include <variant>

namespace preheat::store {

namespace asio = runtime::asio;
using runtime::Task;

namespace {

// Asio's epoll reactor is edge-triggered and never tries a wait
// speculatively: data already in the kernel buffer (libpq read only part of
// it) would not wake an async_wait. So look first.
bool ready_now(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0;
}

std::string trimmed(const char* message) {
  std::string m = message == nullptr ? "" : message;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

Status connect_error(PGconn* c) {
  return Status::io_error("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(c)));
}

struct Finish {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using OwnedConn = std::unique_ptr<PGconn, Finish>;

// Waits once for `fd` through a descriptor made for this wait alone: while
// connecting, libpq may close the socket and open another (often with the
// same number), so no registration is kept across connect steps.
Task<void> wait_fd(asio::any_io_executor ex, int fd, bool write) {
  const short events = write ? POLLOUT : POLLIN;
  if (ready_now(fd, events)) co_return;
  asio::posix::stream_descriptor d(ex, fd);
  struct Release {
    asio::posix::stream_descriptor& d;
    ~Release() { d.release(); }  // never close: the fd is libpq's
  } release{d};
  co_await d.async_wait(write ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read,
                        asio::use_awaitable);
}

// The PQconnectPoll loop, driven by socket readiness.
Task<Status> drive_connect(asio::any_io_executor ex, PGconn* c) {
  if (PQstatus(c) == CONNECTION_BAD) co_return connect_error(c);
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) co_return connect_error(c);
    const int fd = PQsocket(c);
    if (fd < 0) co_return connect_error(c);
    co_await wait_fd(ex, fd, poll == PGRES_POLLING_WRITING);
    poll = PQconnectPoll(c);
  }
  co_return Status();
}

// Parameters in the arrays PQsendQueryParams takes (views into `st`).
bool send_statement(PGconn* conn, const PgStatement& st) {
  const std::size_t n = st.params.size();
  std::vector<const char*> values(n);
  std::vector<int> lengths(n);
  std::vector<int> formats(n);
  std::vector<Oid> types(n);
  for (std::size_t i = 0; i < n; ++i) {
    const PgParam& p = st.params[i];
    values[i] = p.value ? p.value->data() : nullptr;
    lengths[i] = p.value ? static_cast<int>(p.value->size()) : 0;
    formats[i] = p.binary ? 1 : 0;
    types[i] = p.type;
  }
  if (st.prepared) {
    return PQsendQueryPrepared(conn, st.sql.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                               formats.data(), st.binary_results ? 1 : 0) == 1;
  }
  return PQsendQueryParams(conn, st.sql.c_str(), static_cast<int>(n), types.data(), values.data(), lengths.data(),
                           formats.data(), st.binary_results ? 1 : 0) == 1;
}

// One statement's results (up to its terminating null) -> its outcome: the
// first error, or the last result.
Result<PgResult> classify(std::vector<PgResult>& got, bool connection_lost) {
  for (PgResult& r : got) {
    switch (PQresultStatus(r.raw())) {
      case PGRES_FATAL_ERROR:
      case PGRES_BAD_RESPONSE:
      case PGRES_NONFATAL_ERROR:
        return pg_detail::error_status(r.raw(), connection_lost);
      case PGRES_PIPELINE_ABORTED:
        return Status::cancelled("not run: an earlier statement in this pipeline failed");
      default:
        break;
    }
  }
  if (connection_lost) return Status::io_error("connection lost");
  if (got.empty()) return Status::internal("no result for the statement");
  return std::move(got.back());
}

}  // namespace

// ---- the descriptor of an established connection ----

class PgAsyncConnection::Socket {
 public:
  Socket(const asio::any_io_executor& ex, int fd) : fd_(fd), d_(ex, fd) {}
  ~Socket() { release(); }
  void release() {
    if (d_.is_open()) d_.release();  // deregisters; libpq closes the fd
  }

  Task<void> readable() {
    if (ready_now(fd_, POLLIN)) co_return;
    co_await d_.async_wait(asio::posix::descriptor_base::wait_read, asio::use_awaitable);
  }

  // Waits until the socket can take more bytes or has bytes for us; true
  // when writable.
  Task<bool> readable_or_writable() {
    if (ready_now(fd_, POLLOUT)) co_return true;
    if (ready_now(fd_, POLLIN)) co_return false;
    using namespace asio::experimental::awaitable_operators;
    auto write = d_.async_wait(asio::posix::descriptor_base::wait_write, asio::use_awaitable);
    auto read = d_.async_wait(asio::posix::descriptor_base::wait_read, asio::use_awaitable);
    auto either = std::move(write) || std::move(read);
    std::variant<std::monostate, std::monostate> which = co_await std::move(either);
    co_return which.index() == 0;
  }

 private:
  int fd_;
  asio::posix::stream_descriptor d_;
};

// ---- connection ----

Task<Result<std::unique_ptr<PgAsyncConnection>>> PgAsyncConnection::connect(asio::any_io_executor executor,
                                                                           std::string uri) {
  const char* keywords[] = {"dbname", nullptr};
  const char* values[] = {uri.c_str(), nullptr};
  OwnedConn conn(PQconnectStartParams(keywords, values, /*expand_dbname=*/1));
  if (!conn) co_return Status::io_error("cannot connect to PostgreSQL: out of memory");
  Status s = co_await drive_connect(executor, conn.get());
  if (!s.ok()) co_return s;
  if (PQsetnonblocking(conn.get(), 1) != 0) co_return connect_error(conn.get());
  co_return std::unique_ptr<PgAsyncConnection>(new PgAsyncConnection(executor, conn.release()));
}

PgAsyncConnection::PgAsyncConnection(asio::any_io_executor executor, PGconn* conn)
    : executor_(std::move(executor)), conn_(conn), socket_(std::make_unique<Socket>(executor_, PQsocket(conn))) {}

PgAsyncConnection::~PgAsyncConnection() { discard(); }

void PgAsyncConnection::discard() {
  broken_ = true;
  if (socket_) socket_->release();
  socket_.reset();
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

int PgAsyncConnection::backend_pid() const { return conn_ == nullptr ? 0 : PQbackendPID(conn_); }

Status PgAsyncConnection::fail(std::string what) {
  broken_ = true;
  const std::string libpq = conn_ == nullptr ? std::string() : trimmed(PQerrorMessage(conn_));
  return Status::io_error("PostgreSQL connection broken (" + what + ")" + (libpq.empty() ? "" : ": " + libpq));
}

Status PgAsyncConnection::begin_call() {
  if (busy_) return Status::internal("PgAsyncConnection: a call is already in flight");
  if (broken_) return Status::io_error("PostgreSQL connection is broken");
  busy_ = true;
  return Status();
}

Task<Status> PgAsyncConnection::guarded(Task<Status> inner) {
  std::exception_ptr cancelled;
  Status s;
  try {
    s = co_await std::move(inner);
  } catch (...) {
    cancelled = std::current_exception();
  }
  busy_ = false;
  if (cancelled) {
    discard();  // a half-read result stream cannot be resumed
    std::rethrow_exception(cancelled);
  }
  co_return s;
}

Task<Status> PgAsyncConnection::flush() {
  for (;;) {
    const int f = PQflush(conn_);
    if (f == 0) co_return Status();
    if (f < 0) co_return fail("send");
    const bool writable = co_await socket_->readable_or_writable();
    // Read what the server sent meanwhile, so it never stalls writing to us.
    if (!writable && PQconsumeInput(conn_) == 0) co_return fail("receive");
  }
}

Task<Status> PgAsyncConnection::wait_not_busy() {
  while (PQisBusy(conn_) != 0) {
    co_await socket_->readable();
    if (PQconsumeInput(conn_) == 0) co_return fail("receive");
  }
  co_return Status();
}

Task<Status> PgAsyncConnection::read_statement(std::vector<PgResult>& results) {
  for (;;) {
    Status s = co_await wait_not_busy();
    if (!s.ok()) {
      // The connection is gone (its socket closed), so PQgetResult cannot
      // block: it hands over the server's last words (e.g. SQLSTATE 57P01).
      if (PQstatus(conn_) == CONNECTION_BAD) {
        if (PGresult* last = PQgetResult(conn_)) results.emplace_back(last);
      }
      co_return s;
    }
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) co_return Status();
    PgResult result(r);
    const ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
      // The COPY sub-protocol is not spoken here; the stream cannot go on.
      co_return fail("COPY is not supported by PgAsyncConnection");
    }
    results.push_back(std::move(result));
  }
}

Task<Status> PgAsyncConnection::run_one(const PgStatement& statement, std::vector<Result<PgResult>>& out) {
  if (!send_statement(conn_, statement)) co_return fail("send");
  Status s = co_await flush();
  if (!s.ok()) co_return s;
  std::vector<PgResult> got;
  s = co_await read_statement(got);
  const bool lost = !s.ok() || PQstatus(conn_) == CONNECTION_BAD;
  if (!got.empty()) out.push_back(classify(got, lost));
  if (!s.ok()) co_return s;
  if (lost) co_return fail("receive");
  co_return Status();
}

Task<Status> PgAsyncConnection::run_pipeline(const std::vector<PgStatement>& statements,
                                             std::vector<Result<PgResult>>& out) {
  if (PQenterPipelineMode(conn_) != 1) co_return fail("pipeline mode");
  for (const PgStatement& st : statements) {
    if (!send_statement(conn_, st)) co_return fail("send");
  }
  if (PQpipelineSync(conn_) != 1) co_return fail("sync");
  Status s = co_await flush();
  if (!s.ok()) co_return s;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    std::vector<PgResult> got;
    s = co_await read_statement(got);
    if (!s.ok()) co_return s;
    const bool lost = PQstatus(conn_) == CONNECTION_BAD;
    out.push_back(classify(got, lost));
    if (lost) co_return fail("receive");
  }
  s = co_await wait_not_busy();
  if (!s.ok()) co_return s;
  PgResult sync(PQgetResult(conn_));
  if (sync.raw() == nullptr || PQresultStatus(sync.raw()) != PGRES_PIPELINE_SYNC) co_return fail("pipeline sync");
  if (PQexitPipelineMode(conn_) != 1) co_return fail("pipeline end");
  co_return Status();
}

Task<Result<PgResult>> PgAsyncConnection::query(std::string sql, std::vector<PgParam> params) {
  PgStatement st{std::move(sql), std::move(params), false};
  co_return co_await query(std::move(st));
}

Task<Result<PgResult>> PgAsyncConnection::query(PgStatement statement) {
  Status s = begin_call();
  if (!s.ok()) co_return s;
  std::vector<Result<PgResult>> out;
  s = co_await guarded(run_one(statement, out));
  if (!s.ok() && out.empty()) co_return s;
  co_return std::move(out.front());
}

Task<Result<std::vector<Result<PgResult>>>> PgAsyncConnection::pipeline(std::vector<PgStatement> statements) {
  Status s = begin_call();
  if (!s.ok()) co_return s;
  std::vector<Result<PgResult>> out;
  if (statements.empty()) {
    busy_ = false;
    co_return out;
  }
  s = co_await guarded(run_pipeline(statements, out));
  if (!s.ok()) co_return s;
  co_return out;
}

}  // namespace preheat::store
