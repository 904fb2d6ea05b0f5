#pragma once
// An operation of a contract as plain data: its parameters, request body,
// documented responses and callbacks, each pointing back at where the
// document says it (NodeRef).
#include <string>
#include <string_view>
#include <vector>

#include "contract/document_set.h"

namespace tollgate::contract {

/// A body format of a request, response or callback.
struct MediaType {
  std::string content_type;  ///< "application/json", "text/event-stream", "*/*", ...
  NodeRef schema;            ///< may be empty
  NodeRef sse_chunk;         ///< for event streams: the `x-sse.chunk` schema of each `data:` event
  std::string sse_done;      ///< the terminating `data:` payload, e.g. "[DONE]"
  /// `x-sse.end`: for typed event streams without a terminator payload, the
  /// event types (the data's `type`) one of which ends the stream.
  std::vector<std::string> sse_end;
  NodeRef where;             ///< the media type object itself (examples live here)
};

struct HeaderSpec {
  std::string name;
  bool required = false;
  NodeRef schema;
};

/// One documented response of an operation.
struct ResponseSpec {
  std::string status;  ///< "200", "4XX" or "default"
  std::vector<MediaType> content;
  std::vector<HeaderSpec> headers;
  NodeRef where;
};

struct Parameter {
  std::string name;
  std::string in;  ///< path, query, header, cookie
  bool required = false;
  NodeRef schema;
  NodeRef where;
};

/// A request the API sends back to the client (OpenAPI `callbacks`).
struct Callback {
  std::string name;        ///< "taskFinished"
  std::string expression;  ///< "{$request.body#/callback_url}"
  std::string method;
  std::vector<MediaType> body;
  NodeRef where;
};

struct Operation {
  std::string id;      ///< operationId
  std::string method;  ///< upper case: GET, POST, ...
  std::string path;    ///< template: "/task/{task_id}"
  std::string summary;
  std::vector<Parameter> parameters;  ///< path-level ones merged in
  bool body_required = false;
  std::vector<MediaType> request_body;
  std::vector<ResponseSpec> responses;
  std::vector<Callback> callbacks;
  NodeRef where;

  /// The response documented for `status`: exact code, then "4XX", then
  /// "default"; nullptr when there is none.
  const ResponseSpec* response_for(int status) const;
  const Parameter* parameter(std::string_view name, std::string_view in) const;
};

/// The media type in `content` that serves `content_type` (exact, then
/// `type/*`, then `*/*`; parameters such as charset ignored), or nullptr.
const MediaType* find_media_type(const std::vector<MediaType>& content, std::string_view content_type);

}  // namespace tollgate::contract
