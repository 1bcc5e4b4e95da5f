// The one place that says which Asio the project uses and how, so that every
// other header includes this instead of picking its own pieces.
// Asio is compiled once, in runtime/asio_impl.cc (BOOST_ASIO_SEPARATE_COMPILATION).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace preheat::runtime {

namespace asio = boost::asio;

// The one task type: an Asio awaitable. Every coroutine in preheat is a Task.
template <class T = void>
using Task = asio::awaitable<T>;

// Throws operation_aborted when the calling coroutine has been cancelled.
Task<void> throw_if_cancelled();

}  // namespace preheat::runtime
