// The one translation unit that compiles Boost.Beast.
#include <utility>

#include <boost/beast/src.hpp>
