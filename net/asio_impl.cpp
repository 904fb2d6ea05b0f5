// The one translation unit that compiles Boost.Asio (with its SSL support).
#include <utility>  // boost/asio/awaitable.hpp in 1.74 needs it first.

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
