// Probe's stateful sequences beyond create -> read: OpenAPI links by
// operationRef, from a response header or from the request; a submitted
// task read until it is final (the bundled async contracts).
#include "harness/probe/chains.h"

#include <gtest/gtest.h>

#include "harness/probe/polling.h"
#include "tests/support/paths.h"

namespace tollgate::probe {
namespace {

std::vector<const Case*> chain_of(const CaseSet& set, const std::string& first_op, const std::string& then) {
  std::vector<const Case*> out;
  for (const auto& k : set.cases)
    if (k.kind == CaseKind::kChain && k.name.find("chain " + first_op + " -> " + then + ":") == 0) out.push_back(&k);
  return out;
}

TEST(ProbeChains, ASubmittedTaskIsReadUntilItIsFinal) {
  struct Want {
    const char* spec;
    const char* submit;
    const char* read;
    const char* pointer;
  };
  for (const Want& w : {Want{"apixo.yaml", "generateTask", "getTaskStatus", "/data/state"},
                        Want{"aiapigiare-media.yaml", "submitTask", "getTask", "/status"}}) {
    const auto c = contract::Contract::load(test::spec(w.spec));
    const auto state = task_state(*c, *c->find(w.read));
    ASSERT_TRUE(state) << w.spec;
    EXPECT_EQ(state->pointer, w.pointer) << w.spec;
    for (const auto& v : state->final_) EXPECT_TRUE(is_final_state(v)) << v;
    EXPECT_FALSE(state->final_.empty());
    const CaseSet set = generate_cases(*c, {});
    const auto chain = chain_of(set, w.submit, w.read);
    ASSERT_EQ(chain.size(), 2u) << w.spec;
    EXPECT_TRUE(chain[0]->poll_pointer.empty());
    EXPECT_EQ(chain[1]->poll_pointer, w.pointer) << w.spec;
    EXPECT_EQ(chain[1]->poll_values, state->final_);
    EXPECT_NE(chain[1]->name.find("until " + std::string(w.pointer) + " is final"), std::string::npos) << chain[1]->name;
  }
  // A Responses API response may be queued (background mode): read until
  // completed, incomplete, failed or cancelled.
  const auto ai = contract::Contract::load(test::spec("aiproxy.yaml"));
  const auto response = task_state(*ai, *ai->find("getResponse"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->pointer, "/status");
  EXPECT_EQ(response->final_, (std::vector<std::string>{"cancelled", "completed", "failed", "incomplete"}));
  // Not a task: an answer without a state to wait for.
  const auto links = contract::Contract::parse(R"(openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /t:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  status: {type: string, enum: [ok, degraded]}
)", "t.yaml");
  EXPECT_FALSE(task_state(*links, links->operations().front()));
  for (const char* under_way : {"queued", "pending", "processing", "running", "in_progress"})
    EXPECT_FALSE(is_final_state(under_way)) << under_way;
  for (const char* final_ : {"success", "succeeded", "COMPLETED", "failed", "cancelled", "expired"})
    EXPECT_TRUE(is_final_state(final_)) << final_;
}

const char* const kLinks = R"(openapi: 3.0.3
info: {title: Links, version: "1"}
paths:
  /things:
    post:
      operationId: makeThing
      parameters:
        - {name: tenant, in: query, required: true, schema: {type: string, enum: [acme]}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [label]
              properties:
                label: {type: string, enum: [blue box]}
      responses:
        '201':
          description: made
          headers:
            X-Thing-Id: {schema: {type: string}}
          links:
            ReadIt:
              operationRef: '#/paths/~1things~1{thing_id}/get'
              parameters: {thing_id: '$response.header.X-Thing-Id'}
            ByLabel:
              operationId: findByLabel
              parameters: {path.label: '$request.body#/label'}
            ForTenant:
              operationId: listForTenant
              parameters: {tenant: '$request.query.tenant'}
            Elsewhere:
              operationRef: 'other.yaml#/paths/~1x/get'
            Unknowable:
              operationId: countThings
              parameters: {status: '$statusCode'}
  /things/{thing_id}:
    get:
      operationId: readThing
      parameters:
        - {name: thing_id, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: the thing}
  /labels/{label}:
    get:
      operationId: findByLabel
      parameters:
        - {name: label, in: path, required: true, schema: {type: string}}
      responses:
        '200': {description: the things with the label}
  /tenants:
    get:
      operationId: listForTenant
      parameters:
        - {name: tenant, in: query, required: true, schema: {type: string}}
      responses:
        '200': {description: the tenant's things}
  /count:
    get:
      operationId: countThings
      parameters:
        - {name: status, in: query, required: true, schema: {type: integer}}
      responses:
        '200': {description: how many}
)";

TEST(ProbeChains, OpenApiLinksByOperationRefFromAHeaderOrFromTheRequest) {
  const auto c = contract::Contract::parse(kLinks, "links.yaml");
  const CaseSet set = generate_cases(*c, {});
  // operationRef + $response.header: the header's value taken from the answer.
  const auto read = chain_of(set, "makeThing", "readThing");
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0]->extract_header, "X-Thing-Id");
  EXPECT_EQ(read[0]->extract_var, "ref");
  EXPECT_EQ(read[1]->path, "/things/{{ref}}");
  EXPECT_TRUE(read[1]->templated);
  // $request.body#/label: known before sending, written in (encoded in a path).
  const auto by_label = chain_of(set, "makeThing", "findByLabel");
  ASSERT_EQ(by_label.size(), 2u);
  EXPECT_TRUE(by_label[0]->extract_var.empty());
  EXPECT_EQ(by_label[1]->path, "/labels/blue%20box");
  EXPECT_FALSE(by_label[1]->templated);
  // $request.query.tenant: into a query parameter, as is.
  const auto tenant = chain_of(set, "makeThing", "listForTenant");
  ASSERT_EQ(tenant.size(), 2u);
  ASSERT_EQ(tenant[1]->query.size(), 1u);
  EXPECT_EQ(tenant[1]->query[0].second, "acme");
  // What cannot be followed is said.
  std::string notes;
  for (const auto& n : set.notes) notes += n + "\n";
  EXPECT_NE(notes.find("link 'Elsewhere' of makeThing: not followed"), std::string::npos) << notes;
  EXPECT_NE(notes.find("link 'Unknowable' of makeThing: parameter 'status' not followed"), std::string::npos) << notes;
  EXPECT_NE(notes.find("thing_id from header X-Thing-Id of the answer (OpenAPI link 'ReadIt' of makeThing)"),
            std::string::npos)
      << notes;
}

// Create, read, update, read, delete, read: a path's updates are sent in
// its DELETE's chain, and the read after each must show what it set.
const char* const kCrud = R"(openapi: 3.0.3
info: {title: T, version: "1"}
components:
  schemas:
    NoteIn:
      type: object
      required: [title]
      properties:
        title: {type: string, minLength: 1, maxLength: 30}
        secret: {type: string, writeOnly: true}
        tags: {type: array, items: {type: string}}
    Note:
      type: object
      required: [id, title]
      properties:
        id: {type: integer}
        title: {type: string}
        secret: {type: string, writeOnly: true}
paths:
  /notes:
    post:
      operationId: createNote
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/NoteIn'}, example: {title: first, secret: s1}}}
      responses:
        '201': {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}
  /notes/{note_id}:
    parameters:
      - {name: note_id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getNote
      responses:
        '200': {description: the note, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}
        '404': {description: none}
    put:
      operationId: replaceNote
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/NoteIn'}, example: {title: second, secret: s2}}}
      responses:
        '200': {description: replaced, content: {application/json: {schema: {$ref: '#/components/schemas/Note'}}}}
        '404': {description: none}
    delete:
      operationId: deleteNote
      responses:
        '204': {description: gone}
        '404': {description: none}
)";

TEST(ProbeChains, AnUpdateIsReadBackBetweenTheCreateAndTheDelete) {
  auto c = contract::Contract::parse(kCrud, "crud.yaml");
  CaseSet set = generate_cases(*c, {});
  const auto chain = chain_of(set, "createNote", "deleteNote");
  ASSERT_EQ(chain.size(), 6u);
  const char* ops[] = {"createNote", "getNote", "replaceNote", "getNote", "deleteNote", "getNote"};
  for (std::size_t i = 0; i < chain.size(); ++i) EXPECT_EQ(chain[i]->op->id, ops[i]) << chain[i]->name;
  EXPECT_EQ(chain[2]->path, "/notes/{{ref}}");
  EXPECT_NE(chain[3]->name.find("getNote reads the update"), std::string::npos) << chain[3]->name;
  // The read must show the title the update set; not the writeOnly secret
  // (no answer carries it), not an array.
  ASSERT_EQ(chain[3]->expect_equal.size(), 1u);
  EXPECT_EQ(chain[3]->expect_equal[0].first, "/title");
  EXPECT_EQ(chain[3]->expect_equal[0].second, "second");
  EXPECT_TRUE(chain[1]->expect_equal.empty());
  EXPECT_EQ(chain[5]->expect, std::vector<int>{404});
  // No chain of their own for the read and the update.
  EXPECT_TRUE(chain_of(set, "createNote", "replaceNote").empty());
  EXPECT_TRUE(chain_of(set, "createNote", "getNote").empty());
  // Without a DELETE, the update is its own chain: read, update, read.
  std::string no_delete = kCrud;
  no_delete.erase(no_delete.find("    delete:\n"));
  c = contract::Contract::parse(no_delete, "crud.yaml");
  set = generate_cases(*c, {});
  const auto update = chain_of(set, "createNote", "replaceNote");
  ASSERT_EQ(update.size(), 4u);
  EXPECT_EQ(update[3]->op->id, "getNote");
  EXPECT_EQ(update[3]->expect_equal.size(), 1u);
}

}  // namespace
}  // namespace tollgate::probe
