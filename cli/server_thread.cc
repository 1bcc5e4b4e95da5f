#include "cli/server_thread.h"

#include <future>

#include "runtime/runtime.h"
#include "serve/async_server.h"
#include "serve/open_serve_readers.h"
#include "serve/sync_server.h"

namespace preheat::cli {

Result<std::unique_ptr<ServerThread>> ServerThread::start(const std::string& db, const serve::ServeOptions& options) {
  std::unique_ptr<ServerThread> t(new ServerThread());
  if (options.mode == serve::ServeMode::kSync) {
    Result<std::unique_ptr<serve::SyncServer>> s = serve::SyncServer::open(db, options);
    if (!s.ok()) return s.status();
    t->sync_ = std::move(*s);
    t->port_ = t->sync_->port();
    serve::SyncServer* server = t->sync_.get();
    t->thread_ = std::thread([server] { server->serve(); });
    return t;
  }
  // The async server is opened, run and destroyed on its runtime's thread
  // (AsyncServer's contract); the port (or the error) comes back here.
  std::promise<Status> opened;
  std::future<Status> ready = opened.get_future();
  ServerThread* self = t.get();
  t->thread_ = std::thread([self, db, options, &opened] {
    runtime::Runtime rt({.mode = ExecutionMode::kAsync});
    Result<std::unique_ptr<serve::ServeReaders>> readers = serve::open_serve_readers(rt, db, options);
    if (!readers.ok()) {
      opened.set_value(readers.status());
      return;
    }
    Result<std::unique_ptr<serve::AsyncServer>> s = serve::AsyncServer::open(rt, **readers, options);
    if (!s.ok()) {
      opened.set_value(s.status());
      return;
    }
    self->async_ = s->get();
    self->port_ = (*s)->port();
    opened.set_value(Status());
    rt.run((*s)->serve());
  });
  Status status = ready.get();
  if (!status.ok()) {
    t->thread_.join();
    return status;
  }
  return t;
}

ServerThread::~ServerThread() { stop(); }

serve::ServerStats ServerThread::stats() const { return sync_ ? sync_->stats() : async_->stats(); }

void ServerThread::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (sync_) sync_->stop();
  if (async_ != nullptr) async_->stop();
  thread_.join();
}

}  // namespace preheat::cli
