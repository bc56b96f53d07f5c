(function () {
  "use strict";
  var form = document.getElementById("finding-filters");
  if (!form) { return; }
  var items = document.querySelectorAll("[data-severity][data-status]");
  var counter = document.getElementById("finding-count");
  var total = document.querySelectorAll("article.finding").length;
  function checked(name) {
    var wanted = {};
    form.querySelectorAll("input[name=" + name + "]").forEach(function (box) {
      wanted[box.value] = box.checked;
    });
    return wanted;
  }
  function apply() {
    var severity = checked("severity");
    var status = checked("status");
    var shown = 0;
    items.forEach(function (item) {
      var visible = severity[item.dataset.severity] === true && status[item.dataset.status] === true;
      item.hidden = !visible;
      if (visible && item.tagName === "ARTICLE") { shown += 1; }
    });
    counter.textContent = shown + " of " + total + " findings shown";
  }
  form.hidden = false;
  form.addEventListener("change", apply);
  apply();
}());
