;; The least a component can do through each kind of crossing the edgebreaker
;; component makes on acquire + success, so the bench can tell wasmtime's cost
;; from ours: an export with nothing in or out, a method on a resource (the
;; host lends the handle, as for every breaker method), and the same method
;; calling a host import once (as each breaker operation reads the clock).
(component
  (import "now-ms" (func $now (result u64)))
  (type $thing (resource (rep i32)))
  (core func $new (canon resource.new $thing))
  (core func $now-core (canon lower (func $now)))
  (core module $m
    (import "host" "new" (func $new (param i32) (result i32)))
    (import "host" "now-ms" (func $now (result i64)))
    (func (export "nop"))
    (func (export "make") (result i32) (call $new (i32.const 1)))
    (func (export "touch") (param i32))
    (func (export "touch-and-read-clock") (param i32) (result i64) (call $now)))
  (core instance $i (instantiate $m
    (with "host" (instance (export "new" (func $new)) (export "now-ms" (func $now-core))))))
  (export $thing-export "thing" (type $thing))
  (func (export "nop") (canon lift (core func $i "nop")))
  (func (export "make") (result (own $thing-export)) (canon lift (core func $i "make")))
  (func (export "touch") (param "self" (borrow $thing-export)) (canon lift (core func $i "touch")))
  (func (export "touch-and-read-clock") (param "self" (borrow $thing-export)) (result u64)
    (canon lift (core func $i "touch-and-read-clock"))))
