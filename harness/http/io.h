#pragma once
// The I/O types of the load path, all on one worker's io_context executor
// named by its type: awaitables, sockets and timers on it skip Asio's
// type-erased any_io_executor, whose copies and dispatch cost measurably
// per request (bench/harness_vs_wrk.sh).
#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/coro.h"

namespace tollgate::http {

using IoExecutor = boost::asio::io_context::executor_type;
template <typename T = void>
using Task = boost::asio::awaitable<T, IoExecutor>;
using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, IoExecutor>;
using Resolver = boost::asio::ip::basic_resolver<boost::asio::ip::tcp, IoExecutor>;
using Timer = boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                                boost::asio::wait_traits<std::chrono::steady_clock>, IoExecutor>;

/// Completion token: `co_await op(..., on_ec(ec))` stores the error in `ec`.
inline auto on_ec(boost::system::error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable_t<IoExecutor>(), ec);
}

}  // namespace tollgate::http
