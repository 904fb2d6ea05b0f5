#pragma once
#include <string>
#include <string_view>

namespace tollgate::reports {

/// `s` safe in XML or HTML text and attribute values (& < > " ' escaped,
/// control characters XML cannot hold replaced by '?'): the one escaper of
/// junit.xml and report.html.
std::string xml_escape(std::string_view s);

}  // namespace tollgate::reports
