// The log book: numbered logs stamped with the clock, read newest first
// in pages with the System API's filters; the oldest dropped past the bound.
#include "mock-server/store/log_book.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace tollgate::mock {
namespace {

using test::FakeClock;

LogEntry entry(LogType type, const std::string& token, const std::string& model, std::int64_t account = 1) {
  LogEntry e;
  e.account = account;
  e.type = type;
  e.username = "demo";
  e.token_name = token;
  e.model_name = model;
  e.content = "call";
  e.quota = 7;
  return e;
}

LogQuery page(std::int64_t p, std::int64_t size) {
  LogQuery q;
  q.page = p;
  q.page_size = size;
  return q;
}

std::vector<std::int64_t> ids(const LogPage& page) {
  std::vector<std::int64_t> out;
  for (const auto& e : page.items) out.push_back(e.id);
  return out;
}

class LogBookTest : public ::testing::Test {
 protected:
  FakeClock clock_{1'767'225'600'000};
  LogBook book_{clock_, 100};
};

TEST_F(LogBookTest, PagesAreNewestFirstWithTheTotal) {
  for (int i = 0; i < 7; ++i) book_.add(entry(LogType::kConsume, "demo", "m"));
  EXPECT_EQ(ids(book_.page(1, page(1, 3))), (std::vector<std::int64_t>{7, 6, 5}));
  EXPECT_EQ(ids(book_.page(1, page(2, 3))), (std::vector<std::int64_t>{4, 3, 2}));
  const LogPage last = book_.page(1, page(3, 3));
  EXPECT_EQ(ids(last), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(last.total, 7);
  EXPECT_TRUE(book_.page(1, page(4, 3)).items.empty());
  EXPECT_EQ(book_.page(1, page(4, 3)).total, 7);
}

TEST_F(LogBookTest, FiltersByTypeKeyModelUserTimeAndAccount) {
  book_.add(entry(LogType::kConsume, "demo", "gpt-4o-mini"));  // 1, at +0 s
  clock_.advance(std::chrono::seconds(10));
  book_.add(entry(LogType::kManage, "demo", ""));  // 2, at +10 s
  book_.add(entry(LogType::kConsume, "batch", "gpt-4o-mini"));  // 3
  clock_.advance(std::chrono::seconds(10));
  book_.add(entry(LogType::kConsume, "demo", "claude-3-opus"));  // 4, at +20 s
  book_.add(entry(LogType::kConsume, "demo", "gpt-4o-mini", 2));  // 5, another account's
  LogQuery q;
  q.type = 2;
  EXPECT_EQ(ids(book_.page(1, q)), (std::vector<std::int64_t>{4, 3, 1}));
  q.token_name = "demo";
  EXPECT_EQ(ids(book_.page(1, q)), (std::vector<std::int64_t>{4, 1}));
  q.model_name = "gpt-4o-mini";
  EXPECT_EQ(ids(book_.page(1, q)), (std::vector<std::int64_t>{1}));
  LogQuery when;
  const std::int64_t start = clock_.now_s() - 20;
  when.start_s = start + 10;
  when.end_s = start + 10;
  EXPECT_EQ(ids(book_.page(1, when)), (std::vector<std::int64_t>{3, 2}));
  LogQuery user;
  user.username = "nobody";
  EXPECT_EQ(book_.page(1, user).total, 0);
  EXPECT_EQ(ids(book_.page(2, LogQuery{})), (std::vector<std::int64_t>{5}));
}

TEST_F(LogBookTest, AConsumeLogShowsItsFiguresOthersTheirWords) {
  LogEntry consume = entry(LogType::kConsume, "demo", "m");
  consume.prompt_tokens = 12;
  consume.completion_tokens = 30;
  book_.add(consume);
  book_.add(entry(LogType::kManage, "demo", ""));
  const LogPage p = book_.page(1, LogQuery{});
  EXPECT_EQ(p.items[1].content, "call: 12 prompt + 30 completion tokens, 7 quota");
  EXPECT_EQ(p.items[0].content, "call");
  EXPECT_EQ(p.items[1].created_at, clock_.now_s());
}

TEST_F(LogBookTest, TheOldestAreDroppedPastTheBound) {
  LogBook small(clock_, 3);
  for (int i = 0; i < 5; ++i) small.add(entry(LogType::kConsume, "demo", "m"));
  EXPECT_EQ(small.size(), 3u);
  EXPECT_EQ(ids(small.page(1, LogQuery{})), (std::vector<std::int64_t>{5, 4, 3}));
}

TEST_F(LogBookTest, KeptLogsStayAsTheyWereAndNumberingGoesOn) {
  LogEntry old = entry(LogType::kRefund, "demo", "m");
  old.id = 41;
  old.created_at = 1'600'000'000;
  book_.keep(old);
  book_.set_next_id(42);
  book_.add(entry(LogType::kConsume, "demo", "m"));
  const LogPage p = book_.page(1, LogQuery{});
  ASSERT_EQ(ids(p), (std::vector<std::int64_t>{42, 41}));
  EXPECT_EQ(p.items[1].created_at, 1'600'000'000);
  EXPECT_EQ(p.items[1].type, LogType::kRefund);
}

}  // namespace
}  // namespace tollgate::mock
