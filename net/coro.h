#pragma once
/// The project's one shim over Boost.Asio's C++20 coroutine support (1.74):
/// include this instead of the Asio headers where coroutines are used.
#include <utility>  // must precede boost/asio/awaitable.hpp in Boost 1.74

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace tollgate::net {

template <typename T = void>
using Awaitable = boost::asio::awaitable<T>;

/// Completion token: `co_await op(..., use_ec(ec))` stores the error in `ec`
/// instead of throwing (1.74 has no `as_tuple`).
inline auto use_ec(boost::system::error_code& ec) {
  return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

}  // namespace tollgate::net
