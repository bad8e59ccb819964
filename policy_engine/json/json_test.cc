#include "policy_engine/json/json.h"

#include <gtest/gtest.h>

namespace policy_engine::json {
namespace {

TEST(JsonTest, ParsesAllValueKindsWithSpans) {
  std::string text = R"( {"a": [1, -2.50e3, "x\u00e9\ud83d\ude00", true, false, null], "b": {}} )";
  auto r = Parse(text);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  const Node& root = *r;
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.begin, 1u);
  const Node* a = root.Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 6u);
  EXPECT_EQ(a->items[1].text, "-2.50e3");  // R22: number token text kept
  EXPECT_EQ(a->items[2].text, "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_TRUE(a->items[3].boolean);
  EXPECT_EQ(a->items[5].type, Type::kNull);
  EXPECT_EQ(root.members[1].name_offset, text.find("\"b\""));
  EXPECT_EQ(root.end, text.size() - 1);
}

TEST(JsonTest, RejectsDuplicateMemberNamesWithTheirLocation) {  // R2
  std::string text = "{\n  \"Effect\": \"Allow\",\n  \"Effect\": \"Deny\"\n}";
  auto r = Parse(text);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), "JSON_DUPLICATE_KEY");
  EXPECT_EQ(r.error().location().pointer, "/Effect");
  EXPECT_EQ(r.error().location().line, 3u);
  EXPECT_EQ(r.error().location().column, 3u);
}

TEST(JsonTest, AcceptsDuplicatesWhenAsked) {
  ParseOptions opt;
  opt.reject_duplicate_names = false;
  EXPECT_TRUE(Parse(R"({"a":1,"a":2})", opt).has_value());
}

TEST(JsonTest, SyntaxErrorsCarryLineAndColumn) {  // R1
  struct Case {
    const char* text;
    uint32_t line, column;
  } cases[] = {
      {"{\"a\": 1,}", 1, 9},
      {"[1 2]", 1, 4},
      {"{\"a\" 1}", 1, 6},
      {"", 1, 1},
      {"{} {}", 1, 4},
      {"{\"a\": tru}", 1, 7},
      {"{\n\"a\": \"x\n\"}", 2, 8},
      {"01", 1, 2},
      {"{\"a\": 1.}", 1, 7},
      {"{'a': 1}", 1, 2},
      {"[\"\\q\"]", 1, 3},
      {"not json", 1, 1},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.text);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code(), "JSON_SYNTAX_ERROR") << c.text;
    EXPECT_EQ(r.error().location().line, c.line) << c.text << " " << r.error().ToString();
    EXPECT_EQ(r.error().location().column, c.column) << c.text << " " << r.error().ToString();
  }
}

TEST(JsonTest, RejectsInvalidUtf8AndLoneSurrogates) {
  EXPECT_EQ(Parse("\"\xff\"").error().code(), "JSON_INVALID_UTF8");
  EXPECT_EQ(Parse("\"\xc0\xaf\"").error().code(), "JSON_INVALID_UTF8");      // overlong
  EXPECT_EQ(Parse("\"\xed\xa0\x80\"").error().code(), "JSON_INVALID_UTF8");  // surrogate
  EXPECT_EQ(Parse(R"("\ud800")").error().code(), "JSON_INVALID_UTF8");
  EXPECT_EQ(Parse(R"("\udc00x")").error().code(), "JSON_INVALID_UTF8");
  EXPECT_EQ(Parse("{\"a\xff\": 1}").error().location().offset, 3u);
}

TEST(JsonTest, CapsNestingDepth) {
  std::string deep(100000, '[');
  auto r = Parse(deep);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), "JSON_TOO_DEEP");
  std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(Parse(ok).has_value());
  std::string too = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(Parse(too).error().code(), "JSON_TOO_DEEP");
}

TEST(JsonTest, RejectsOversizedInputBeforeParsing) {
  ParseOptions opt;
  opt.max_bytes = 10;
  EXPECT_EQ(Parse("[1,2,3,4,5,6]", opt).error().code(), "JSON_TOO_LARGE");
}

TEST(JsonTest, EscapesPointerTokensAndDumpsCompactly) {
  EXPECT_EQ(EscapePointerToken("a/b~c"), "a~1b~0c");
  auto r = Parse(R"({"k": ["a\"b", 1.0, {"x": null}], "t": true})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Dump(*r), R"({"k":["a\"b",1.0,{"x":null}],"t":true})");
  auto dup = Parse(R"({"Statement": {"Effect": "Allow", "Effect": "Deny"}})");
  EXPECT_EQ(dup.error().location().pointer, "/Statement/Effect");
}

}  // namespace
}  // namespace policy_engine::json
