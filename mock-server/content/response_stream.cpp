#include "mock-server/content/response_stream.h"

#include "mock-server/content/chat_stream.h"

namespace tollgate::mock {

using nlohmann::json;

net::HttpResponse response_stream_response(json response, ChatAnswer answer, LatencyProfile latency) {
  return event_stream_response(std::make_shared<ResponseStream>(std::move(response), std::move(answer), latency));
}

ResponseStream::ResponseStream(json response, ChatAnswer answer, LatencyProfile latency)
    : response_(std::move(response)), answer_(std::move(answer)), latency_(latency) {}

json ResponseStream::in_progress() const {
  json r = response_;
  r["status"] = "in_progress";
  r["output"] = json::array();
  r["usage"] = nullptr;
  r["incomplete_details"] = nullptr;
  return r;
}

void ResponseStream::emit(net::StreamChunk& out, json event, double delay_ms) {
  event["sequence_number"] = sequence_++;
  const std::string type = event["type"].get<std::string>();
  out.data = "event: " + type + "\n" + sse_event(event.dump());
  out.delay = std::chrono::microseconds(static_cast<std::int64_t>(delay_ms * 1000.0));
}

bool ResponseStream::next(net::StreamChunk& out) {
  const json& items = response_["output"];
  const ChatChoice* choice = answer_.choices.empty() ? nullptr : &answer_.choices.front();
  const auto item_id = [&] { return items[item_].value("id", ""); };
  // The delay before an output event: TTFT before the first, then ITL.
  const auto output_delay = [&] {
    const double d = first_output_ ? latency_.ttft_ms : latency_.itl_ms;
    first_output_ = false;
    return d;
  };
  switch (phase_) {
    case Phase::kCreated:
      emit(out, {{"type", "response.created"}, {"response", in_progress()}}, 0);
      phase_ = Phase::kInProgress;
      return true;
    case Phase::kInProgress:
      emit(out, {{"type", "response.in_progress"}, {"response", in_progress()}}, 0);
      phase_ = items.empty() ? Phase::kFinal : Phase::kItemAdded;
      return true;
    case Phase::kItemAdded: {
      json item = items[item_];
      item["status"] = "in_progress";
      const bool call = item["type"] == "function_call";
      if (call) item["arguments"] = "";
      else item["content"] = json::array();
      // The model's first output: a message part, or a call's name.
      emit(out, {{"type", "response.output_item.added"}, {"output_index", item_}, {"item", std::move(item)}},
           call ? output_delay() : 0);
      at_ = 0;
      phase_ = call ? Phase::kArgumentsDelta : Phase::kPartAdded;
      return true;
    }
    case Phase::kPartAdded:
      emit(out, {{"type", "response.content_part.added"}, {"item_id", item_id()}, {"output_index", item_},
                 {"content_index", 0}, {"part", {{"type", "output_text"}, {"text", ""}, {"annotations", json::array()}}}},
           0);
      phase_ = choice && !choice->text.pieces.empty() ? Phase::kTextDelta : Phase::kTextDone;
      return true;
    case Phase::kTextDelta: {
      const auto& pieces = choice->text.pieces;
      json e = {{"type", "response.output_text.delta"}, {"item_id", item_id()}, {"output_index", item_},
                {"content_index", 0}, {"delta", pieces[at_]},
                {"logprobs", choice->top_logprobs < 0 ? json::array() : token_logprobs({pieces[at_]}, choice->top_logprobs)}};
      emit(out, std::move(e), output_delay());
      if (++at_ == pieces.size()) phase_ = Phase::kTextDone;
      return true;
    }
    case Phase::kTextDone: {
      const json& part = items[item_]["content"][0];
      emit(out, {{"type", "response.output_text.done"}, {"item_id", item_id()}, {"output_index", item_},
                 {"content_index", 0}, {"text", part["text"]}, {"logprobs", part.value("logprobs", json::array())}},
           0);
      phase_ = Phase::kPartDone;
      return true;
    }
    case Phase::kPartDone:
      emit(out, {{"type", "response.content_part.done"}, {"item_id", item_id()}, {"output_index", item_},
                 {"content_index", 0}, {"part", items[item_]["content"][0]}},
           0);
      phase_ = Phase::kItemDone;
      return true;
    case Phase::kArgumentsDelta: {
      const std::string& arguments = choice->tool_calls[item_].arguments;
      if (at_ >= arguments.size()) {
        phase_ = Phase::kArgumentsDone;
        return next(out);
      }
      const std::size_t end = argument_fragment_end(arguments, at_);
      emit(out, {{"type", "response.function_call_arguments.delta"}, {"item_id", item_id()}, {"output_index", item_},
                 {"delta", arguments.substr(at_, end - at_)}},
           latency_.itl_ms);
      at_ = end;
      return true;
    }
    case Phase::kArgumentsDone:
      emit(out, {{"type", "response.function_call_arguments.done"}, {"item_id", item_id()}, {"output_index", item_},
                 {"name", items[item_]["name"]}, {"arguments", items[item_]["arguments"]}},
           0);
      phase_ = Phase::kItemDone;
      return true;
    case Phase::kItemDone:
      emit(out, {{"type", "response.output_item.done"}, {"output_index", item_}, {"item", items[item_]}}, 0);
      phase_ = ++item_ < items.size() ? Phase::kItemAdded : Phase::kFinal;
      return true;
    case Phase::kFinal:
      emit(out, {{"type", response_["status"] == "incomplete" ? "response.incomplete" : "response.completed"},
                 {"response", response_}},
           0);
      phase_ = Phase::kEnd;
      return true;
    case Phase::kEnd:
      return false;
  }
  return false;
}

}  // namespace tollgate::mock
